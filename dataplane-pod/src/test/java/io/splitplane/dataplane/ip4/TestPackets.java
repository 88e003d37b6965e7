package io.splitplane.dataplane.ip4;

import java.nio.ByteBuffer;

/** Builds Ethernet/IPv4/UDP frames as bytes and computes what forwarding must make of them (the reference). */
final class TestPackets {
    static final int ETH = 14;

    private TestPackets() {
    }

    /** An Ethernet + IPv4 (no options) + UDP frame with a correct header checksum. */
    static byte[] udp(long dstMac, long srcMac, int src, int dst, int sport, int dport, int ttl, int id, int tos,
                      int payload) {
        int ipLen = 20 + 8 + payload;
        ByteBuffer b = ByteBuffer.allocate(ETH + ipLen);
        putMac(b, dstMac);
        putMac(b, srcMac);
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) tos).putShort((short) ipLen).putShort((short) id).putShort((short) 0)
                .put((byte) ttl).put((byte) 17).putShort((short) 0).putInt(src).putInt(dst);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload)).putShort((short) 0);
        for (int i = 0; i < payload; i++) {
            b.put((byte) (i * 31 + id));
        }
        byte[] f = b.array();
        setChecksum(f, ETH, 20);
        return f;
    }

    static void putMac(ByteBuffer b, long mac) {
        for (int s = 40; s >= 0; s -= 8) {
            b.put((byte) (mac >>> s));
        }
    }

    static long mac(byte[] f, int off) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | (f[off + i] & 0xFF);
        }
        return m;
    }

    static int u16(byte[] f, int off) {
        return (f[off] & 0xFF) << 8 | (f[off + 1] & 0xFF);
    }

    static int u32(byte[] f, int off) {
        return (f[off] & 0xFF) << 24 | (f[off + 1] & 0xFF) << 16 | (f[off + 2] & 0xFF) << 8 | (f[off + 3] & 0xFF);
    }

    /** Full RFC 791 checksum recomputation of the header at {@code off} (the reference). */
    static int checksum(byte[] f, int off, int headerLength) {
        int sum = 0;
        for (int i = 0; i < headerLength; i += 2) {
            if (i != 10) {
                sum += u16(f, off + i);
            }
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    static void setChecksum(byte[] f, int off, int headerLength) {
        int c = checksum(f, off, headerLength);
        f[off + 10] = (byte) (c >>> 8);
        f[off + 11] = (byte) c;
    }

    /**
     * What a router makes of {@code in}: new MACs, TTL - 1, checksum recomputed from scratch, the
     * frame trimmed to the IPv4 total length.
     */
    static byte[] forwarded(byte[] in, long dstMac, long srcMac) {
        int total = u16(in, ETH + 2);
        byte[] out = java.util.Arrays.copyOf(in, ETH + total);
        ByteBuffer b = ByteBuffer.wrap(out);
        putMac(b, dstMac);
        putMac(b, srcMac);
        out[ETH + 8] = (byte) ((in[ETH + 8] & 0xFF) - 1);
        setChecksum(out, ETH, 20);
        return out;
    }
}
