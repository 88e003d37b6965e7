package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.punt.PuntNode;
import io.splitplane.dataplane.punt.PuntReason;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code ip4-input}: validates an IPv4 header (the packet's {@code addr} points at it, see
 * {@link EthInputNode}) before it is looked up, in the order VPP's {@code ip4_input_check} does:
 * length of the frame, version, IHL, options, total length, header checksum, fragment. What is broken
 * is dropped with its reason; what is valid but not for the graph goes to the kernel: a header with
 * options ({@code punt/options}, before the checksum: the kernel checks it) and fragments
 * ({@code punt/fragment}: MF set or offset non-zero; the kernel forwards or reassembles them).
 *
 * <p>TTL is not checked here: a packet for a local address is delivered whatever its TTL (as Linux
 * does); {@code ip4-rewrite} punts TTL 0/1 packets that would be forwarded.
 *
 * <p>A frame longer than the IPv4 total length (Ethernet padding) is trimmed to it.
 *
 * <p>Hot path: five 32-bit big-endian loads per packet (the whole option-less header), the checksum
 * summed from them.
 *
 * <pre>
 *   next:   0 drop   1 ip4-lookup   2 punt
 *   errors: too-short, bad-version, bad-ihl, bad-length, bad-checksum
 * </pre>
 */
public final class Ip4InputNode extends Node {
    public static final String NAME = "ip4-input";
    public static final int NEXT_LOOKUP = 1;
    public static final int NEXT_PUNT = 2;

    public static final int ERR_TOO_SHORT = 0;
    public static final int ERR_BAD_VERSION = 1;
    public static final int ERR_BAD_IHL = 2;
    public static final int ERR_BAD_LENGTH = 3;
    public static final int ERR_BAD_CHECKSUM = 4;
    /** Not an error: {@link #checkVersionIhl}'s answer for IHL &gt; 5. */
    private static final int OPTIONS = -1;
    /** flags+fragment offset: MF (0x2000) and the 13-bit offset; DF (0x4000) does not matter. */
    private static final int MF_OR_OFFSET = 0x3FFF;

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
        super(NAME, List.of(DROP_NODE, Ip4LookupNode.NAME, PuntNode.NAME), List.of(
                NodeError.of("too-short", "packet shorter than an IPv4 header"),
                NodeError.of("bad-version", "IP version is not 4"),
                NodeError.of("bad-ihl", "IHL below 5 (header shorter than 20 bytes)"),
                NodeError.of("bad-length", "IPv4 total length below the header length or beyond the frame"),
                NodeError.of("bad-checksum", "IPv4 header checksum is wrong")));
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
                final int why = checkVersionIhl(versionIhl);
                if (why == OPTIONS) {
                    v.meta1[i] = PuntReason.OPTIONS;
                    nexts[i] = NEXT_PUNT;
                } else {
                    nexts[i] = drop(why);
                }
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
            } else if ((w1 & MF_OR_OFFSET) != 0) {
                v.meta1[i] = PuntReason.FRAGMENT;
                nexts[i] = NEXT_PUNT;
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
        return (versionIhl & 0xF) < 5 ? ERR_BAD_IHL : OPTIONS;
    }
}
