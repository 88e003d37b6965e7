package io.splitplane.dataplane.channel;

import io.splitplane.dataplane.fib.Adjacency;
import io.splitplane.dataplane.fib.EcmpGroupTable;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.FlowHash;
import io.splitplane.dataplane.fib.Ip4Fib;
import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.fib.NextHopTable;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.InputNode;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.port.PacketMemory;
import io.splitplane.dataplane.port.Port;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code channel-tx}: the worker's side of every channel, polled once per loop (an input node, CNDP's
 * {@code udp_output} fed by {@code chnl_send}).
 *
 * <ol>
 *   <li>Housekeeping per channel: frames the application gave back ({@code release}) are freed to
 *   their port; the worker keeps the channel's {@code spare} ring stocked with free frames; a
 *   closing channel has every frame of every ring taken back, then is marked released for this
 *   worker (after which no ring of it is touched again).</li>
 *   <li>Sending: datagrams the application queued ({@code tx}, IPv4 and UDP headers written) are
 *   routed like {@code ip4-lookup} + {@code ip4-rewrite} do, without the TTL decrement (the packet
 *   starts here): FIB lookup of the destination, ECMP member by flow hash, adjacency, MACs, edge
 *   {@code port-tx-<egress>}. An unresolved neighbour or a missing route is a counted drop (and
 *   the channel's {@code txDropped}): locally sent packets cannot be punted into the receive path.</li>
 * </ol>
 *
 * <pre>
 *   next:   0 drop   1.. port-tx-&lt;port&gt; for each port this worker runs
 *   errors: no-route, no-neighbour, egress-not-local, no-frame
 * </pre>
 */
public final class ChannelTxNode extends InputNode {
    public static final String NAME = "channel-tx";
    public static final int ERR_NO_ROUTE = 0;
    public static final int ERR_NO_NEIGHBOUR = 1;
    public static final int ERR_EGRESS_NOT_LOCAL = 2;
    public static final int ERR_NO_FRAME = 3;

    private static final ValueLayout.OfInt BE32 = Ip4HeaderLayout.FIELD_U32;
    private static final long IP = 14;
    private static final int UDP_PORTS = (int) (IP + Ip4HeaderLayout.MIN_SIZE);

    private final Channels channels;
    private final int worker;
    private final Ip4Fib fib;
    private final EcmpGroupTable groups;
    private final NextHopTable nextHops;
    private final int[] egressEdge = new int[Adjacency.MAX_PORTS];
    private Port[] ports = new Port[0];
    private MemorySegment packets;
    private int dataOffset;

    /**
     * @param portIds   dataplane port ids of the ports this worker sends on
     * @param portNames their names, same order (edges go to {@code port-tx-<name>})
     */
    public ChannelTxNode(final Channels channels, final int worker, final Ip4Fib fib, final EcmpGroupTable groups,
                         final NextHopTable nextHops, final int[] portIds, final List<String> portNames) {
        super(NAME, edges(portNames), List.of(
                NodeError.of("no-route", "channel datagram without a route (or to a local address)"),
                NodeError.of("no-neighbour", "channel datagram whose next hop is not resolved"),
                NodeError.of("egress-not-local", "channel datagram routed to a port another worker runs"),
                NodeError.of("no-frame", "no free frame to stock a channel's spare ring")));
        this.channels = Objects.requireNonNull(channels, "channels");
        this.worker = Objects.checkIndex(worker, channels.workers());
        this.fib = fib;
        this.groups = groups;
        this.nextHops = nextHops;
        for (int k = 0; k < portIds.length; k++) {
            egressEdge[portIds[k]] = k + 1;
        }
    }

    private static List<String> edges(final List<String> portNames) {
        List<String> e = new ArrayList<>();
        e.add(DROP_NODE);
        portNames.forEach(n -> e.add("port-tx-" + n));
        return e;
    }

    @Override
    protected void onBuild(final Graph graph) {
        ports = graph.ports().toArray(Port[]::new);
        PacketMemory memory = graph.memory();
        packets = memory.segment();
        dataOffset = memory.dataOffset();
        channels.attachWorker(worker, memory);
    }

    @Override
    protected int poll(final PacketVector out, final int max, final int[] nexts) {
        final int w = worker;
        int count = 0;
        for (int id = 0, n = channels.highWater(); id < n; id++) {
            final UdpChannel ch = channels.slot(id);
            if (ch == null) {
                continue;
            }
            final ChannelSide side = ch.sides[w];
            if (ch.isClosing()) {
                if (!side.isReleased()) {
                    takeBack(side);
                }
                continue;
            }
            drainRelease(side.release);
            if (ch.isBound() && ch.sendsThrough(w)) {
                restock(side.spare);
                count = send(ch, side, out, count, max, nexts);
            }
        }
        out.count(count);
        return PER_PACKET;
    }

    private void drainRelease(final SpscPairRing ring) {
        while (ring.peek()) {
            ports[(int) ring.b()].free(ring.a());
            ring.take();
        }
    }

    private void restock(final SpscPairRing spare) {
        if (ports.length == 0) {
            return;
        }
        final Port port = ports[0];
        while (spare.size() < spare.capacity()) {
            final long base = port.allocate();
            if (base < 0) {
                countError(ERR_NO_FRAME, 1);
                return;
            }
            spare.offer(base + dataOffset, 0);
        }
    }

    private int send(final UdpChannel ch, final ChannelSide side, final PacketVector out, int count, final int max,
                     final int[] nexts) {
        final SpscPairRing tx = side.tx;
        final MemorySegment m = packets;
        while (count < max && tx.peek()) {
            final long frame = tx.a();
            final long word = tx.b();
            tx.take();
            final int len = (int) word;
            final int p = (int) (word >>> 32);
            out.addr[count] = frame;
            out.len[count] = len;
            out.port[count] = p;
            out.meta0[count] = 0;
            out.meta1[count] = 0;
            final int edge = route(m, frame);
            if (edge <= 0) {
                side.add(ChannelSide.W_TX_DROPPED, 1);
                nexts[count] = drop(-edge);
            } else {
                side.add(ChannelSide.W_TX_PACKETS, 1);
                side.add(ChannelSide.W_TX_BYTES, len - UdpChannel.HEADERS);
                nexts[count] = edge;
            }
            count++;
        }
        return count;
    }

    /** The egress edge of the datagram in {@code frame} (MACs written), or minus a drop reason. */
    private int route(final MemorySegment m, final long frame) {
        final long ip = frame + IP;
        final int dst = m.get(BE32, ip + Ip4HeaderLayout.DESTINATION_OFFSET);
        final int r = fib.lookup(dst);
        final int kind = r >>> FibResult.KIND_SHIFT;
        int nh;
        if (kind == FibResult.KIND_NEXT_HOP) {
            nh = r & FibResult.ID_MASK;
        } else if (kind == FibResult.KIND_GROUP) {
            final int src = m.get(BE32, ip + Ip4HeaderLayout.SOURCE_OFFSET);
            final int ports = m.get(BE32, frame + UDP_PORTS);
            nh = groups.select(r & FibResult.ID_MASK, FlowHash.ip4(FlowHash.DEFAULT_SEED, src, dst,
                    UdpHeaderLayout.PROTOCOL, ports >>> 16, ports & 0xFFFF));
            if (nh == 0) {
                return -ERR_NO_ROUTE;
            }
        } else {
            return -ERR_NO_ROUTE;
        }
        long adj = nextHops.adjacency(nh);
        int state = Adjacency.state(adj);
        if (state == Adjacency.GLEAN) {
            adj = nextHops.neighbours().lookup(Adjacency.port(adj), dst);
            state = Adjacency.state(adj);
        }
        if (state != Adjacency.RESOLVED) {
            return state == Adjacency.UNRESOLVED ? -ERR_NO_NEIGHBOUR : -ERR_NO_ROUTE;
        }
        final int port = Adjacency.port(adj);
        final int edge = egressEdge[port];
        if (edge == 0) {
            return -ERR_EGRESS_NOT_LOCAL;
        }
        Adjacency.writeMacs(m, frame, adj, nextHops.portMac(port));
        return edge;
    }

    /** A closing channel: every frame on its rings back to the ports, then never touched again. */
    private void takeBack(final ChannelSide side) {
        drainRelease(side.release);
        freeAll(side.rx, true);
        freeAll(side.spare, false);
        freeAll(side.tx, true);
        side.markReleased();
    }

    private void freeAll(final SpscPairRing ring, final boolean portInHighWord) {
        while (ring.peek()) {
            final long b = ring.b();
            ports[(int) (portInHighWord ? b >>> 32 : b)].free(ring.a());
            ring.take();
        }
    }
}
