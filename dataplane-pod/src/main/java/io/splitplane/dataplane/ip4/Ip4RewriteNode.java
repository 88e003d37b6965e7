package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.fib.Adjacency;
import io.splitplane.dataplane.fib.Ip4Checksum;
import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.fib.NextHopTable;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.punt.PuntNode;
import io.splitplane.dataplane.punt.PuntReason;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code ip4-rewrite}: turns a looked-up packet into a frame for its egress port. Per packet: the
 * adjacency of the next hop in {@code meta0} (one 64-bit load: state, port, gateway MAC; for a
 * connected next hop the destination's own neighbour entry), the TTL decremented with the RFC 1624
 * incremental checksum update ({@link Ip4Checksum#decrementTtl}: one 32-bit load and store), the
 * packet moved back over the 14 bytes {@code eth-input} stepped past, destination and source MAC
 * written ({@link Adjacency#writeMacs}; the source is the egress port's MAC,
 * {@link NextHopTable#portMac}), and the edge to {@code port-tx-<egress port>} chosen. The EtherType
 * in front of the IPv4 header is still 0x0800 (eth-input accepts nothing else), so it is not
 * rewritten.
 *
 * <p>Ports: the adjacency names a <em>dataplane port id</em> (the index in the dataplane's port
 * list); this node maps it to one of its edges. A port this worker does not run (another worker's, or
 * none) is a counted drop: {@code egress-not-local}.
 *
 * <p>Punts, before any byte of the packet is changed (so the kernel gets the frame as it arrived): a
 * next hop whose neighbour is not resolved ({@code punt/no-neighbour}: the kernel resolves it and sends
 * the packet; the netlink agent then learns the neighbour and later packets stay in the graph), and TTL
 * 0 or 1 ({@code punt/ttl-expired}: the kernel sends ICMP time exceeded, so traceroute sees the router
 * as with plain Linux).
 *
 * <pre>
 *   next:   0 drop   1 punt   2.. port-tx-&lt;port&gt; for each port this worker runs
 *   errors: no-adjacency, drop-next-hop, egress-not-local
 * </pre>
 */
public final class Ip4RewriteNode extends Node {
    public static final String NAME = "ip4-rewrite";

    public static final int NEXT_PUNT = 1;
    /** Edge of the first port; port k of the constructor's list is edge FIRST_PORT_EDGE + k. */
    public static final int FIRST_PORT_EDGE = 2;

    public static final int ERR_NO_ADJACENCY = 0;
    public static final int ERR_DROP_NEXT_HOP = 1;
    public static final int ERR_EGRESS_NOT_LOCAL = 2;

    private static final int L2 = EthInputNode.L2_SIZE;
    private static final long DST = Ip4HeaderLayout.DESTINATION_OFFSET;
    private static final ValueLayout.OfInt BE32 = Ip4HeaderLayout.FIELD_U32;

    private final NextHopTable nextHops;
    /** Dataplane port id to edge index (0: not a port of this worker). */
    private final int[] egressEdge = new int[Adjacency.MAX_PORTS];
    private MemorySegment packets;

    /**
     * @param nextHops   next hops, neighbours and port MACs (read only here)
     * @param portIds    dataplane port ids of the ports this worker sends on
     * @param portNames  their names, same order (edges go to {@code port-tx-<name>})
     */
    public Ip4RewriteNode(final NextHopTable nextHops, final int[] portIds, final List<String> portNames) {
        super(NAME, edges(portIds, portNames), List.of(
                NodeError.of("no-adjacency", "next hop unknown (removed)"),
                NodeError.of("drop-next-hop", "blackhole next hop"),
                NodeError.of("egress-not-local", "egress port is not run by this worker")));
        this.nextHops = Objects.requireNonNull(nextHops, "nextHops");
        for (int k = 0; k < portIds.length; k++) {
            egressEdge[portIds[k]] = k + FIRST_PORT_EDGE;
        }
    }

    private static List<String> edges(final int[] portIds, final List<String> portNames) {
        if (portIds.length != portNames.size()) {
            throw new IllegalArgumentException("portIds.length=" + portIds.length + " != portNames.size()="
                    + portNames.size());
        }
        final List<String> e = new ArrayList<>();
        e.add(DROP_NODE);
        e.add(PuntNode.NAME);
        for (int k = 0; k < portIds.length; k++) {
            if (portIds[k] < 0 || portIds[k] >= Adjacency.MAX_PORTS) {
                throw new IllegalArgumentException("port id=" + portIds[k] + " out of range 0.." + (Adjacency.MAX_PORTS - 1));
            }
            e.add("port-tx-" + portNames.get(k));
        }
        if (Arrays.stream(portIds).distinct().count() != portIds.length) {
            throw new IllegalArgumentException("portIds=" + Arrays.toString(portIds) + " lists a port twice");
        }
        return e;
    }

    @Override
    protected void onBuild(final Graph graph) {
        packets = graph.memory().segment();
    }

    @Override
    protected int process(final PacketVector v, final int[] nexts) {
        final MemorySegment m = packets;
        final NextHopTable table = nextHops;
        final int[] edges = egressEdge;
        final long[] addr = v.addr;
        final int[] len = v.len;
        final int[] meta0 = v.meta0;
        for (int i = 0, n = v.count(); i < n; i++) {
            final long ip = addr[i];
            long adj = table.adjacency(meta0[i]);
            int state = Adjacency.state(adj);
            if (state == Adjacency.GLEAN) {
                adj = table.neighbours().lookup(Adjacency.port(adj), m.get(BE32, ip + DST));
                state = Adjacency.state(adj);
            }
            if (state != Adjacency.RESOLVED) {
                if (state == Adjacency.UNRESOLVED) {
                    v.meta1[i] = PuntReason.NO_NEIGHBOUR;
                    nexts[i] = NEXT_PUNT;
                } else {
                    nexts[i] = drop(state == Adjacency.DROP ? ERR_DROP_NEXT_HOP : ERR_NO_ADJACENCY);
                }
                continue;
            }
            final int port = Adjacency.port(adj);
            final int edge = edges[port];
            if (edge == 0) {
                nexts[i] = drop(ERR_EGRESS_NOT_LOCAL);
                continue;
            }
            if (Ip4Checksum.decrementTtl(m, ip) < 0) {   // TTL <= 1: left unchanged
                v.meta1[i] = PuntReason.TTL_EXPIRED;
                nexts[i] = NEXT_PUNT;
                continue;
            }
            final long frame = ip - L2;
            Adjacency.writeMacs(m, frame, adj, table.portMac(port));
            addr[i] = frame;
            len[i] += L2;
            nexts[i] = edge;
        }
        return PER_PACKET;
    }
}
