package io.splitplane.bpf;

import io.splitplane.api.classifier.IpPrefix;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Crafts Ethernet frames for test runs: VLAN/QinQ tags, IPv4 (options, fragments) or IPv6
 * (extension headers, fragment header), UDP/TCP/SCTP/ICMP/ICMPv6, and broken variants through
 * overrides of single header fields and {@link #cut}. Everything is big-endian on the wire.
 */
public final class FrameBuilder {
    static final int ETH_P_IP = 0x0800;
    static final int ETH_P_IPV6 = 0x86dd;
    static final int ETH_P_ARP = 0x0806;
    static final int ETH_P_LLDP = 0x88cc;
    static final int TPID_8021Q = 0x8100;
    static final int TPID_8021AD = 0x88a8;
    static final int HOPOPTS = 0;
    static final int ROUTING = 43;
    static final int FRAGMENT = 44;
    static final int AH = 51;
    static final int DSTOPTS = 60;
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int PROTO_ICMPV6 = 58;
    static final int PROTO_SCTP = 132;
    private static final byte[] DST_MAC = {0x02, 0, 0, 0, 0, 0x02};
    private static final byte[] SRC_MAC = {0x02, 0, 0, 0, 0, 0x01};

    private final int etherType;
    private final byte[] src;
    private final byte[] dst;
    private final List<int[]> tags = new ArrayList<>();
    private final List<Integer> extensions = new ArrayList<>();
    private int protocol = PROTO_UDP;
    private int srcPort = 40000;
    private int dstPort = 9;
    private int payload = 18;
    private byte[] rawL4;
    private int optionWords;
    private boolean fragmented;
    private int fragmentOffset8;
    private boolean moreFragments;
    private int rawPayloadLength = 28;
    // Overrides of single fields, to break the frame.
    private Integer ihl;
    private Integer totLen;
    private Integer versionField;
    private Integer payloadLen;
    private Integer udpLen;
    private Integer tcpDoff;
    private Integer firstExtLen;
    private int padTo;
    // Filled by build().
    private int l3Offset;
    private int l4Offset;

    private FrameBuilder(int etherType, byte[] src, byte[] dst) {
        this.etherType = etherType;
        this.src = src;
        this.dst = dst;
    }

    public static FrameBuilder ipv4(String src, String dst) {
        return new FrameBuilder(ETH_P_IP, address(src, 4), address(dst, 4));
    }

    public static FrameBuilder ipv6(String src, String dst) {
        return new FrameBuilder(ETH_P_IPV6, address(src, 16), address(dst, 16));
    }

    /** A frame of any ethertype with {@code length} zero bytes after the Ethernet header (and tags). */
    static FrameBuilder other(int etherType, int length) {
        FrameBuilder b = new FrameBuilder(etherType, null, null);
        b.rawPayloadLength = length;
        return b;
    }

    private static byte[] address(String text, int length) {
        byte[] a = IpPrefix.parse(text).address();
        if (a.length != length) {
            throw new IllegalArgumentException(text + " is not an IPv" + (length == 4 ? 4 : 6) + " address");
        }
        return a;
    }

    /** Adds an 802.1Q tag after the ones before (the first call is the outermost). */
    public FrameBuilder vlan(int id) {
        return tag(TPID_8021Q, id);
    }

    FrameBuilder tag(int tpid, int id) {
        tags.add(new int[] {tpid, id});
        return this;
    }

    public FrameBuilder udp(int sport, int dport) {
        return ports(PROTO_UDP, sport, dport);
    }

    public FrameBuilder tcp(int sport, int dport) {
        return ports(PROTO_TCP, sport, dport);
    }

    FrameBuilder sctp(int sport, int dport) {
        return ports(PROTO_SCTP, sport, dport);
    }

    private FrameBuilder ports(int proto, int sport, int dport) {
        protocol = proto;
        srcPort = sport;
        dstPort = dport;
        return this;
    }

    FrameBuilder icmpEcho() {
        protocol = etherType == ETH_P_IPV6 ? PROTO_ICMPV6 : PROTO_ICMP;
        return this;
    }

    /** Any protocol number with these L4 bytes. */
    FrameBuilder l4(int proto, byte[] bytes) {
        protocol = proto;
        rawL4 = bytes.clone();
        return this;
    }

    public FrameBuilder payload(int bytes) {
        payload = bytes;
        return this;
    }

    /** IPv4 options: {@code words} 4-byte words of NOPs. */
    FrameBuilder options(int words) {
        optionWords = words;
        return this;
    }

    /** A fragment at {@code offset8} 8-byte units; IPv6 gets a fragment header after the other extensions. */
    FrameBuilder fragment(int offset8, boolean more) {
        fragmented = true;
        fragmentOffset8 = offset8;
        moreFragments = more;
        return this;
    }

    /** An IPv6 extension header (HOPOPTS, ROUTING, DSTOPTS: 8 bytes; AH: 16 bytes). */
    FrameBuilder extension(int type) {
        extensions.add(type);
        return this;
    }

    FrameBuilder ihl(int value) {
        ihl = value;
        return this;
    }

    FrameBuilder totLen(int value) {
        totLen = value;
        return this;
    }

    /** The version nibble of the IP header. */
    FrameBuilder versionField(int value) {
        versionField = value;
        return this;
    }

    FrameBuilder payloadLen(int value) {
        payloadLen = value;
        return this;
    }

    FrameBuilder udpLen(int value) {
        udpLen = value;
        return this;
    }

    FrameBuilder tcpDoff(int value) {
        tcpDoff = value;
        return this;
    }

    /** The length byte of the first IPv6 extension header. */
    FrameBuilder firstExtensionLength(int value) {
        firstExtLen = value;
        return this;
    }

    /** Ethernet padding up to {@code length} bytes (the IP length stays what it was). */
    FrameBuilder padTo(int length) {
        padTo = length;
        return this;
    }

    public byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(DST_MAC);
        out.writeBytes(SRC_MAC);
        for (int[] t : tags) {
            u16(out, t[0]);
            u16(out, t[1]);
        }
        u16(out, etherType);
        l3Offset = out.size();
        if (src == null) {
            out.writeBytes(new byte[rawPayloadLength]);
            l4Offset = out.size();
        } else if (etherType == ETH_P_IP) {
            byte[] l4 = l4();
            ipv4(out, l4);
            l4Offset = out.size();
            out.writeBytes(l4);
        } else if (etherType == ETH_P_IPV6) {
            byte[] l4 = l4();
            byte[] ext = extensions();
            ipv6(out, ext.length + l4.length);
            out.writeBytes(ext);
            l4Offset = out.size();
            out.writeBytes(l4);
        }
        byte[] frame = out.toByteArray();
        return frame.length < padTo ? Arrays.copyOf(frame, padTo) : frame;
    }

    /** Where the IP header starts in the last built frame. */
    int l3Offset() {
        return l3Offset;
    }

    /** Where the L4 header starts in the last built frame (after options and extension headers). */
    int l4Offset() {
        return l4Offset;
    }

    /** The first {@code length} bytes of {@code frame}. */
    static byte[] cut(byte[] frame, int length) {
        return Arrays.copyOf(frame, length);
    }

    private byte[] l4() {
        if (rawL4 != null) {
            return rawL4.clone();
        }
        ByteBuffer b;
        switch (protocol) {
            case PROTO_UDP -> {
                b = ByteBuffer.allocate(8 + payload);
                int length = udpLen != null ? udpLen : 8 + payload;
                b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) length).putShort((short) 0);
            }
            case PROTO_TCP -> {
                b = ByteBuffer.allocate(20 + payload);
                b.putShort((short) srcPort).putShort((short) dstPort).putInt(1).putInt(0)
                        .put((byte) ((tcpDoff != null ? tcpDoff : 5) << 4)).put((byte) 0x02).putShort((short) 65535)
                        .putShort((short) 0).putShort((short) 0);
            }
            case PROTO_SCTP -> {
                b = ByteBuffer.allocate(12 + payload);
                b.putShort((short) srcPort).putShort((short) dstPort).putInt(0x1234).putInt(0);
            }
            case PROTO_ICMP, PROTO_ICMPV6 -> {
                b = ByteBuffer.allocate(8 + payload);
                b.put((byte) (protocol == PROTO_ICMP ? 8 : 128)).put((byte) 0).putShort((short) 0).putShort((short) 1)
                        .putShort((short) 1);
            }
            default -> b = ByteBuffer.allocate(payload);
        }
        while (b.hasRemaining()) {
            b.put((byte) (b.position() & 0xff));
        }
        return b.array();
    }

    private void ipv4(ByteArrayOutputStream out, byte[] l4) {
        int headerLength = 20 + optionWords * 4;
        ByteBuffer h = ByteBuffer.allocate(headerLength);
        int version = versionField != null ? versionField : 4;
        int headerWords = ihl != null ? ihl : headerLength / 4;
        h.put((byte) ((version << 4) | (headerWords & 0xf))).put((byte) 0);
        h.putShort((short) (totLen != null ? totLen : headerLength + l4.length));
        h.putShort((short) 0x1234);
        int frag = (moreFragments ? 0x2000 : 0) | (fragmented ? fragmentOffset8 & 0x1fff : 0);
        h.putShort((short) frag);
        h.put((byte) 64).put((byte) protocol).putShort((short) 0);
        h.put(src).put(dst);
        while (h.hasRemaining()) {
            h.put((byte) 1); // NOP options
        }
        byte[] header = h.array();
        int sum = checksum(header);
        header[10] = (byte) (sum >> 8);
        header[11] = (byte) sum;
        out.writeBytes(header);
    }

    private void ipv6(ByteArrayOutputStream out, int payloadLength) {
        ByteBuffer h = ByteBuffer.allocate(40);
        int version = versionField != null ? versionField : 6;
        h.putInt(version << 28);
        h.putShort((short) (payloadLen != null ? payloadLen : payloadLength));
        List<Integer> chain = chain();
        h.put((byte) (int) chain.getFirst()).put((byte) 64);
        h.put(src).put(dst);
        out.writeBytes(h.array());
    }

    /** The next-header values in order: extensions, then the fragment header, then the protocol. */
    private List<Integer> chain() {
        List<Integer> chain = new ArrayList<>(extensions);
        if (fragmented) {
            chain.add(FRAGMENT);
        }
        chain.add(protocol);
        return chain;
    }

    private byte[] extensions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> chain = chain();
        for (int i = 0; i < chain.size() - 1; i++) {
            int type = chain.get(i);
            int next = chain.get(i + 1);
            ByteBuffer e;
            if (type == FRAGMENT) {
                e = ByteBuffer.allocate(8);
                e.put((byte) next).put((byte) 0)
                        .putShort((short) ((fragmentOffset8 << 3) | (moreFragments ? 1 : 0))).putInt(0x4321);
            } else if (type == AH) {
                e = ByteBuffer.allocate(16); // len field 2: (2 + 2) * 4 bytes
                e.put((byte) next).put((byte) 2).putShort((short) 0).putInt(0x100).putInt(1).putInt(0);
            } else {
                e = ByteBuffer.allocate(8); // len field 0: 8 bytes, PadN filled
                e.put((byte) next).put((byte) 0).put((byte) 1).put((byte) 4).putInt(0);
            }
            byte[] bytes = e.array();
            if (i == 0 && firstExtLen != null) {
                bytes[1] = (byte) (int) firstExtLen;
            }
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static int checksum(byte[] header) {
        long sum = 0;
        for (int i = 0; i < header.length; i += 2) {
            sum += ((header[i] & 0xff) << 8) | (header[i + 1] & 0xff);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write((v >> 8) & 0xff);
        out.write(v & 0xff);
    }
}
