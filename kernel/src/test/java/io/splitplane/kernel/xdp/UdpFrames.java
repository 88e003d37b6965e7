package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Ethernet/IPv4/UDP frames for the AF_XDP tests: build one in UMEM, check one (headers, checksums,
 * a numbered payload), and turn one around in place (swap MACs, addresses and ports; both checksums
 * stay valid because one's-complement sums do not depend on order). The check and the swap
 * allocate nothing, so they can run inside a measured hot loop.
 *
 * <p>Payload of packet {@code seq}: {@link #payloadLength(long)} bytes, the seq big-endian in the
 * first 8, then {@code (byte) (seq * 31 + i)}.
 */
final class UdpFrames {
    static final int ETH = 14;
    static final int IP = 20;
    static final int UDP = 8;
    static final int HEADERS = ETH + IP + UDP;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Result codes of {@link #check}: OK or the first thing that was wrong. */
    static final int OK = 0;
    static final int BAD_LENGTH = 1;
    static final int BAD_ETHERNET = 2;
    static final int BAD_IP = 3;
    static final int BAD_IP_CHECKSUM = 4;
    static final int BAD_UDP = 5;
    static final int BAD_UDP_CHECKSUM = 6;
    static final int BAD_SEQ = 7;
    static final int BAD_PAYLOAD = 8;
    static final int NOT_OURS = 9;

    private UdpFrames() {
    }

    static int payloadLength(long seq) {
        return 16 + (int) (seq % 600);
    }

    static int frameLength(long seq) {
        return HEADERS + payloadLength(seq);
    }

    static byte payloadByte(long seq, int i) {
        return (byte) (seq * 31 + i);
    }

    /** Java-side payload for a datagram socket. */
    static byte[] payload(long seq) {
        byte[] p = new byte[payloadLength(seq)];
        for (int i = 8; i < p.length; i++) {
            p[i] = payloadByte(seq, i);
        }
        for (int i = 0; i < 8; i++) {
            p[i] = (byte) (seq >>> (56 - 8 * i));
        }
        return p;
    }

    /** Checks a datagram payload received by a socket; returns OK or BAD_*. */
    static int checkPayload(byte[] p, int length, long seq) {
        if (length != payloadLength(seq)) {
            return BAD_LENGTH;
        }
        long got = 0;
        for (int i = 0; i < 8; i++) {
            got = (got << 8) | (p[i] & 0xff);
        }
        if (got != seq) {
            return BAD_SEQ;
        }
        for (int i = 8; i < length; i++) {
            if (p[i] != payloadByte(seq, i)) {
                return BAD_PAYLOAD;
            }
        }
        return OK;
    }

    /** Writes a whole frame for packet {@code seq} at {@code off}; returns its length. */
    static int write(MemorySegment m, long off, Link.End from, Link.End to, int sport, int dport, long seq) {
        int payload = payloadLength(seq);
        MemorySegment.copy(to.mac(), 0, m, JAVA_BYTE, off, 6);
        MemorySegment.copy(from.mac(), 0, m, JAVA_BYTE, off + 6, 6);
        m.set(U16, off + 12, (short) 0x0800);
        long ip = off + ETH;
        m.set(JAVA_BYTE, ip, (byte) 0x45);
        m.set(JAVA_BYTE, ip + 1, (byte) 0);
        m.set(U16, ip + 2, (short) (IP + UDP + payload));
        m.set(U16, ip + 4, (short) seq);
        m.set(U16, ip + 6, (short) 0x4000); // DF
        m.set(JAVA_BYTE, ip + 8, (byte) 64);
        m.set(JAVA_BYTE, ip + 9, (byte) 17);
        m.set(U16, ip + 10, (short) 0);
        m.set(U32, ip + 12, from.ip());
        m.set(U32, ip + 16, to.ip());
        m.set(U16, ip + 10, (short) ~sum(m, ip, IP, 0));
        long udp = ip + IP;
        m.set(U16, udp, (short) sport);
        m.set(U16, udp + 2, (short) dport);
        m.set(U16, udp + 4, (short) (UDP + payload));
        m.set(U16, udp + 6, (short) 0);
        long data = udp + UDP;
        m.set(U64, data, seq);
        for (int i = 8; i < payload; i++) {
            m.set(JAVA_BYTE, data + i, payloadByte(seq, i));
        }
        int c = ~udpSum(m, ip, UDP + payload) & 0xffff;
        m.set(U16, udp + 6, (short) (c == 0 ? 0xffff : c));
        return HEADERS + payload;
    }

    /**
     * Checks the frame at {@code off} of {@code len} bytes: from {@code from} to {@code to} with these
     * ports, valid checksums, payload of packet {@code seq}.
     */
    static int check(MemorySegment m, long off, int len, Link.End from, Link.End to, int sport, int dport, long seq) {
        if (len < HEADERS) {
            return BAD_LENGTH;
        }
        if (m.get(U16, off + 12) != 0x0800 || m.get(JAVA_BYTE, off + ETH + 9) != 17) {
            return NOT_OURS;
        }
        for (int i = 0; i < 6; i++) {
            if (m.get(JAVA_BYTE, off + i) != to.mac()[i] || m.get(JAVA_BYTE, off + 6 + i) != from.mac()[i]) {
                return BAD_ETHERNET;
            }
        }
        long ip = off + ETH;
        if (m.get(JAVA_BYTE, ip) != 0x45 || m.get(U32, ip + 12) != from.ip() || m.get(U32, ip + 16) != to.ip()
                || (m.get(U16, ip + 2) & 0xffff) != len - ETH) {
            return BAD_IP;
        }
        if (sum(m, ip, IP, 0) != 0xffff) {
            return BAD_IP_CHECKSUM;
        }
        long udp = ip + IP;
        int udpLen = m.get(U16, udp + 4) & 0xffff;
        if ((m.get(U16, udp) & 0xffff) != sport || (m.get(U16, udp + 2) & 0xffff) != dport || udpLen != len - ETH - IP) {
            return BAD_UDP;
        }
        if (udpSum(m, ip, udpLen) != 0xffff) {
            return BAD_UDP_CHECKSUM;
        }
        long data = udp + UDP;
        int payload = udpLen - UDP;
        if (payload != payloadLength(seq)) {
            return BAD_LENGTH;
        }
        if (m.get(U64, data) != seq) {
            return BAD_SEQ;
        }
        for (int i = 8; i < payload; i++) {
            if (m.get(JAVA_BYTE, data + i) != payloadByte(seq, i)) {
                return BAD_PAYLOAD;
            }
        }
        return OK;
    }

    /** The sequence number in the frame at {@code off} (no checks). */
    static long seqOf(MemorySegment m, long off) {
        return m.get(U64, off + HEADERS);
    }

    /** Swaps source and destination MAC, IPv4 address and UDP port in place. */
    static void turnAround(MemorySegment m, long off) {
        for (int i = 0; i < 6; i++) {
            byte d = m.get(JAVA_BYTE, off + i);
            m.set(JAVA_BYTE, off + i, m.get(JAVA_BYTE, off + 6 + i));
            m.set(JAVA_BYTE, off + 6 + i, d);
        }
        long ip = off + ETH;
        int src = m.get(U32, ip + 12);
        m.set(U32, ip + 12, m.get(U32, ip + 16));
        m.set(U32, ip + 16, src);
        long udp = ip + IP;
        short sport = m.get(U16, udp);
        m.set(U16, udp, m.get(U16, udp + 2));
        m.set(U16, udp + 2, sport);
    }

    /** One's-complement sum (folded, not inverted) of {@code len} bytes at {@code off}. */
    private static int sum(MemorySegment m, long off, int len, int initial) {
        long s = initial;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            s += m.get(U16, off + i) & 0xffff;
        }
        if (i < len) {
            s += (m.get(JAVA_BYTE, off + i) & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** UDP sum including the IPv4 pseudo header; {@code ip} is the IP header's offset. */
    private static int udpSum(MemorySegment m, long ip, int udpLen) {
        int pseudo = sum(m, ip + 12, 8, 0);
        pseudo += 17 + udpLen;
        return sum(m, ip + IP, udpLen, pseudo);
    }
}
