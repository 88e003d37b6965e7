package io.splitplane.kernel.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Hand-built Ethernet frames for test runs, with correct IPv4 header checksums. */
final class TestFrames {
    static final byte[] DST_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    static final byte[] SRC_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
    static final int ETH_P_IP = 0x0800;
    static final int ETH_P_ARP = 0x0806;
    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_UDP = 17;
    static final int ETH_HLEN = 14;

    private TestFrames() {
    }

    /** Ethernet + IPv4 (10.0.0.1 -> 10.0.0.2) + UDP 1234 -> 5678 with {@code payload}. */
    static byte[] udp(byte[] payload) {
        ByteBuffer l4 = ByteBuffer.allocate(8 + payload.length).order(ByteOrder.BIG_ENDIAN);
        l4.putShort((short) 1234).putShort((short) 5678).putShort((short) (8 + payload.length)).putShort((short) 0);
        l4.put(payload);
        return ipv4(IPPROTO_UDP, l4.array());
    }

    /** Ethernet + IPv4 + a 20-byte TCP SYN header. */
    static byte[] tcpSyn() {
        ByteBuffer l4 = ByteBuffer.allocate(20).order(ByteOrder.BIG_ENDIAN);
        l4.putShort((short) 40000).putShort((short) 80).putInt(1).putInt(0);
        l4.put((byte) 0x50).put((byte) 0x02).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        return ipv4(IPPROTO_TCP, l4.array());
    }

    /** Ethernet + IPv4 + ICMP echo request. */
    static byte[] icmpEcho() {
        return ipv4(IPPROTO_ICMP, new byte[] {8, 0, 0, 0, 0, 1, 0, 1});
    }

    static byte[] ipv4(int protocol, byte[] l4) {
        ByteBuffer ip = ByteBuffer.allocate(20 + l4.length).order(ByteOrder.BIG_ENDIAN);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length));
        ip.putShort((short) 1).putShort((short) 0x4000); // id, DF
        ip.put((byte) 64).put((byte) protocol).putShort((short) 0);
        ip.put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        ip.putShort(10, checksum(ip.array(), 0, 20));
        ip.position(20);
        ip.put(l4);
        return ethernet(ETH_P_IP, ip.array());
    }

    /** An ARP request (not IPv4). */
    static byte[] arpRequest() {
        ByteBuffer arp = ByteBuffer.allocate(28).order(ByteOrder.BIG_ENDIAN);
        arp.putShort((short) 1).putShort((short) ETH_P_IP).put((byte) 6).put((byte) 4).putShort((short) 1);
        arp.put(SRC_MAC).put(new byte[] {10, 0, 0, 1}).put(new byte[6]).put(new byte[] {10, 0, 0, 2});
        return ethernet(ETH_P_ARP, arp.array());
    }

    static byte[] ethernet(int etherType, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(ETH_HLEN + payload.length).order(ByteOrder.BIG_ENDIAN);
        frame.put(DST_MAC).put(SRC_MAC).putShort((short) etherType).put(payload);
        return frame.array();
    }

    /** The frame with source and destination MAC swapped, as an XDP_TX reflector leaves it. */
    static byte[] macsSwapped(byte[] frame) {
        byte[] swapped = frame.clone();
        System.arraycopy(frame, 0, swapped, 6, 6);
        System.arraycopy(frame, 6, swapped, 0, 6);
        return swapped;
    }

    static byte[] truncate(byte[] frame, int length) {
        return Arrays.copyOf(frame, length);
    }

    private static short checksum(byte[] bytes, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i += 2) {
            sum += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    /** A u32 key or value in host byte order, as BPF programs store them. */
    static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    static int u32(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt();
    }

    static long u64(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getLong();
    }

    static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }
}
