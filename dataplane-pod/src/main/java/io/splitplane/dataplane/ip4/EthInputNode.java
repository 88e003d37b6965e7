package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.fib.EthernetHeaderLayout;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.punt.PuntNode;
import io.splitplane.dataplane.punt.PuntReason;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * {@code eth-input}: classifies Ethernet II frames by EtherType. IPv4 goes to {@code ip4-input}
 * with the packet advanced past the 14-byte Ethernet header (VPP's {@code vlib_buffer_advance}:
 * {@code addr} then points at the IPv4 header, {@code len} counts from there; the L3 offset is
 * recorded in the packet itself, and {@code ip4-rewrite} moves {@code addr} back to write the new
 * Ethernet header). Everything else (ARP, IPv6, VLAN-tagged frames: what the classifier steered here
 * although the graph does not handle it) is punted to the kernel ({@code punt/not-ip4}), stepped past
 * the Ethernet header the same way, because {@code punt} expects every packet at its L3 offset.
 *
 * <pre>
 *   next:   0 drop   1 ip4-input   2 punt
 *   errors: too-short
 * </pre>
 */
public final class EthInputNode extends Node {
    public static final String NAME = "eth-input";
    public static final int NEXT_IP4_INPUT = 1;
    public static final int NEXT_PUNT = 2;

    public static final int ERR_TOO_SHORT = 0;

    static final int L2_SIZE = (int) EthernetHeaderLayout.SIZE;
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long ETHER_TYPE = EthernetHeaderLayout.ETHER_TYPE_OFFSET;

    private MemorySegment packets;

    public EthInputNode() {
        super(NAME, List.of(DROP_NODE, Ip4InputNode.NAME, PuntNode.NAME), List.of(
                NodeError.of("too-short", "frame shorter than an Ethernet header")));
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
            final long a = addr[i];
            final int l = len[i];
            if (l < L2_SIZE) {
                nexts[i] = drop(ERR_TOO_SHORT);
                continue;
            }
            final int type = m.get(BE16, a + ETHER_TYPE) & 0xFFFF;
            addr[i] = a + L2_SIZE;
            len[i] = l - L2_SIZE;
            if (type == EthernetHeaderLayout.ETHER_TYPE_IPV4) {
                nexts[i] = NEXT_IP4_INPUT;
            } else {
                v.meta1[i] = PuntReason.NOT_IP4;
                nexts[i] = NEXT_PUNT;
            }
        }
        return PER_PACKET;
    }
}
