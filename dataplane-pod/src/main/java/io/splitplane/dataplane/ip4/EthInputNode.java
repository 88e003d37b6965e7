package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.fib.EthernetHeaderLayout;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * {@code eth-input}: classifies Ethernet II frames by EtherType. IPv4 goes to {@code ip4-input}
 * with the packet advanced past the 14-byte Ethernet header (VPP's {@code vlib_buffer_advance}:
 * {@code addr} then points at the IPv4 header, {@code len} counts from there; the L3 offset is
 * recorded in the packet itself, and {@code ip4-rewrite} moves {@code addr} back to write the new
 * Ethernet header). Everything else is dropped, counted by reason (the next issue punts it to the
 * kernel instead).
 *
 * <pre>
 *   next:   0 drop   1 ip4-input
 *   errors: too-short, not-ip4, vlan
 * </pre>
 */
public final class EthInputNode extends Node {
    public static final String NAME = "eth-input";
    public static final int NEXT_IP4_INPUT = 1;

    public static final int ERR_TOO_SHORT = 0;
    public static final int ERR_NOT_IP4 = 1;
    public static final int ERR_VLAN = 2;

    static final int L2_SIZE = (int) EthernetHeaderLayout.SIZE;
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long ETHER_TYPE = EthernetHeaderLayout.ETHER_TYPE_OFFSET;
    private static final int VLAN = 0x8100;
    private static final int QINQ = 0x88A8;

    private MemorySegment packets;

    public EthInputNode() {
        super(NAME, List.of(DROP_NODE, Ip4InputNode.NAME), List.of(
                NodeError.of("too-short", "frame shorter than an Ethernet header"),
                NodeError.of("not-ip4", "EtherType is not IPv4 (ARP, IPv6, ...): dropped, to be punted to the kernel"),
                NodeError.of("vlan", "802.1Q/802.1ad tagged frame: not handled yet, dropped")));
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
            if (type == EthernetHeaderLayout.ETHER_TYPE_IPV4) {
                addr[i] = a + L2_SIZE;
                len[i] = l - L2_SIZE;
                nexts[i] = NEXT_IP4_INPUT;
            } else {
                nexts[i] = drop(type == VLAN || type == QINQ ? ERR_VLAN : ERR_NOT_IP4);
            }
        }
        return PER_PACKET;
    }
}
