package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code ip4-input}: validates an IPv4 header (the packet's {@code addr} points at it, see
 * {@link EthInputNode}) before it is forwarded, in the order VPP's {@code ip4_input_check} does:
 * length of the frame, version, IHL, options, total length, header checksum, TTL. What fails is
 * dropped with its reason; {@code options} and {@code ttl-expired} are counted apart because the next
 * issue sends them to the kernel (which answers TTL expiry with ICMP time exceeded).
 *
 * <p>A frame longer than the IPv4 total length (Ethernet padding) is trimmed to it.
 *
 * <p>Hot path: five 32-bit big-endian loads per packet (the whole option-less header), the checksum
 * summed from them.
 *
 * <pre>
 *   next:   0 drop   1 ip4-lookup
 *   errors: too-short, bad-version, bad-ihl, options, bad-length, bad-checksum, ttl-expired
 * </pre>
 */
public final class Ip4InputNode extends Node {
    public static final String NAME = "ip4-input";
    public static final int NEXT_LOOKUP = 1;

    public static final int ERR_TOO_SHORT = 0;
    public static final int ERR_BAD_VERSION = 1;
    public static final int ERR_BAD_IHL = 2;
    public static final int ERR_OPTIONS = 3;
    public static final int ERR_BAD_LENGTH = 4;
    public static final int ERR_BAD_CHECKSUM = 5;
    public static final int ERR_TTL_EXPIRED = 6;

    private static final ValueLayout.OfInt BE32 = Ip4HeaderLayout.FIELD_U32;
    private static final int MIN = (int) Ip4HeaderLayout.MIN_SIZE;

    static {
        // The five words of the header: version_ihl|tos|tot_len, id|frag_off, ttl|protocol|check, saddr, daddr.
        if (Ip4HeaderLayout.VERSION_IHL_OFFSET != 0 || Ip4HeaderLayout.TOTAL_LENGTH_OFFSET != 2
                || Ip4HeaderLayout.TTL_OFFSET != 8 || MIN != 20) {
            throw new ExceptionInInitializerError("unexpected iphdr layout");
        }
    }

    private MemorySegment packets;

    public Ip4InputNode() {
        super(NAME, List.of(DROP_NODE, Ip4LookupNode.NAME), List.of(
                NodeError.of("too-short", "packet shorter than an IPv4 header"),
                NodeError.of("bad-version", "IP version is not 4"),
                NodeError.of("bad-ihl", "IHL below 5 (header shorter than 20 bytes)"),
                NodeError.of("options", "IPv4 header with options: dropped, to be punted to the kernel"),
                NodeError.of("bad-length", "IPv4 total length below the header length or beyond the frame"),
                NodeError.of("bad-checksum", "IPv4 header checksum is wrong"),
                NodeError.of("ttl-expired", "TTL 0 or 1: must not be forwarded (to be punted: the kernel sends ICMP)")));
    }

    @Override
    protected void onBuild(final Graph graph) {
        packets = graph.memory().segment();
    }

    @Override
    protected int process(final PacketVector v, final int[] nexts) {
        final MemorySegment m = packets;
        final long[] addr = v.addr;
        final int[] len = v.len;
        for (int i = 0, n = v.count(); i < n; i++) {
            final int l = len[i];
            if (l < MIN) {
                nexts[i] = drop(ERR_TOO_SHORT);
                continue;
            }
            final long a = addr[i];
            final int w0 = m.get(BE32, a);
            final int versionIhl = w0 >>> 24;
            if (versionIhl != 0x45) {
                nexts[i] = drop(checkVersionIhl(versionIhl));
                continue;
            }
            final int totalLength = w0 & 0xFFFF;
            if (totalLength < MIN || totalLength > l) {
                nexts[i] = drop(ERR_BAD_LENGTH);
                continue;
            }
            final int w1 = m.get(BE32, a + 4);
            final int w2 = m.get(BE32, a + 8);
            final int w3 = m.get(BE32, a + 12);
            final int w4 = m.get(BE32, a + 16);
            // One's-complement sum of the ten 16-bit words: each 32-bit word as its two halves.
            long sum = (w0 >>> 16) + (w0 & 0xFFFF) + (w1 >>> 16) + (w1 & 0xFFFF) + (w2 >>> 16) + (w2 & 0xFFFF)
                    + (w3 >>> 16) + (w3 & 0xFFFF) + (w4 >>> 16) + (w4 & 0xFFFF);
            sum = (sum & 0xFFFF) + (sum >>> 16);
            sum = (sum & 0xFFFF) + (sum >>> 16);
            if (sum != 0xFFFF) {
                nexts[i] = drop(ERR_BAD_CHECKSUM);
            } else if ((w2 >>> 24) <= 1) {
                nexts[i] = drop(ERR_TTL_EXPIRED);
            } else {
                len[i] = totalLength;
                nexts[i] = NEXT_LOOKUP;
            }
        }
        return PER_PACKET;
    }

    /** The reason for a first byte other than 0x45. */
    private static int checkVersionIhl(final int versionIhl) {
        if (versionIhl >>> 4 != 4) {
            return ERR_BAD_VERSION;
        }
        return (versionIhl & 0xF) < 5 ? ERR_BAD_IHL : ERR_OPTIONS;
    }
}
