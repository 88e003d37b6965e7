package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.fib.EcmpGroupTable;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.FlowHash;
import io.splitplane.dataplane.fib.Ip4Fib;
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
 * {@code ip4-lookup}: longest-prefix match of each packet's destination in the {@link Ip4Fib}, the
 * whole vector in one {@link Ip4Fib#lookupBatch} (the tbl24 loads of 256 packets overlap, which is
 * what makes a 1M-route table affordable). A next-hop result goes to {@code ip4-rewrite} with the
 * next-hop id in {@code meta0}; an ECMP group picks its member with the {@link FlowHash} of the
 * 5-tuple (written to {@code meta1}); a local address goes to {@code ip4-local}; what the kernel
 * answers better than the graph is punted with its reason: no route ({@code punt/no-route}: the
 * kernel routes it or sends ICMP unreachable), unreachable and prohibit routes ({@code punt/unreachable}:
 * the kernel sends the ICMP error), punt routes ({@code punt/route}). Blackhole routes and empty ECMP
 * groups are drops.
 *
 * <p>Flow hash input: source, destination, protocol, and for UDP and TCP the ports, when the packet
 * carries them (fragment offset 0: whole datagrams and first fragments; later fragments hash with
 * ports 0). The packet's {@code addr} points at the IPv4 header, which {@code ip4-input} validated
 * (20 bytes, no options), so the L4 header starts 20 bytes in.
 *
 * <pre>
 *   next:   0 drop   1 ip4-rewrite   2 ip4-local   3 punt
 *   errors: blackhole, no-group-member
 *   meta0 := next-hop id,  meta1 := flow hash (ECMP only)
 * </pre>
 */
public final class Ip4LookupNode extends Node {
    public static final String NAME = "ip4-lookup";
    public static final int NEXT_REWRITE = 1;
    public static final int NEXT_LOCAL = 2;
    public static final int NEXT_PUNT = 3;

    public static final int ERR_BLACKHOLE = 0;
    public static final int ERR_NO_GROUP_MEMBER = 1;

    private static final ValueLayout.OfInt BE32 = Ip4HeaderLayout.FIELD_U32;
    private static final long DST = Ip4HeaderLayout.DESTINATION_OFFSET;
    private static final long SRC = Ip4HeaderLayout.SOURCE_OFFSET;
    private static final long FRAG = Ip4HeaderLayout.ID_OFFSET; // id | flags+frag_off, one word
    private static final long TTL_PROTO = Ip4HeaderLayout.TTL_OFFSET;
    private static final long L4 = Ip4HeaderLayout.MIN_SIZE;
    private static final int TCP = 6;
    private static final int UDP = 17;

    /** Punt reason per FibResult kind that is punted (-1: not punted). */
    private static final int[] KIND_PUNT = new int[1 << (32 - FibResult.KIND_SHIFT)];

    static {
        java.util.Arrays.fill(KIND_PUNT, -1);
        KIND_PUNT[FibResult.KIND_NO_ROUTE] = PuntReason.NO_ROUTE;
        KIND_PUNT[FibResult.KIND_UNREACHABLE] = PuntReason.UNREACHABLE;
        KIND_PUNT[FibResult.KIND_PROHIBIT] = PuntReason.UNREACHABLE;
        KIND_PUNT[FibResult.KIND_PUNT] = PuntReason.ROUTE;
        if (FibResult.KIND_SHIFT != 28 || FibResult.KIND_COUNT > 16) {
            throw new ExceptionInInitializerError("unexpected FibResult encoding");
        }
    }

    private final Ip4Fib fib;
    private final EcmpGroupTable groups;
    private final long seed;
    private final int[] destinations = new int[PacketVector.CAPACITY];
    private final int[] results = new int[PacketVector.CAPACITY];
    private MemorySegment packets;

    /**
     * @param fib    the FIB (read only here)
     * @param groups ECMP groups (read only here)
     * @param seed   flow hash seed ({@link FlowHash#DEFAULT_SEED} unless the router should differ from
     *               its neighbours)
     */
    public Ip4LookupNode(final Ip4Fib fib, final EcmpGroupTable groups, final long seed) {
        super(NAME, List.of(DROP_NODE, Ip4RewriteNode.NAME, Ip4LocalNode.NAME, PuntNode.NAME), List.of(
                NodeError.of("blackhole", "blackhole route"),
                NodeError.of("no-group-member", "ECMP group unknown or empty")));
        this.fib = fib;
        this.groups = groups;
        this.seed = seed;
    }

    @Override
    protected void onBuild(final Graph graph) {
        packets = graph.memory().segment();
    }

    @Override
    protected int process(final PacketVector v, final int[] nexts) {
        final MemorySegment m = packets;
        final long[] addr = v.addr;
        final int[] meta0 = v.meta0;
        final int[] dsts = destinations;
        final int[] res = results;
        final int n = v.count();
        for (int i = 0; i < n; i++) {
            dsts[i] = m.get(BE32, addr[i] + DST);
        }
        fib.lookupBatch(dsts, res, n);
        for (int i = 0; i < n; i++) {
            final int r = res[i];
            final int kind = r >>> FibResult.KIND_SHIFT;
            if (kind == FibResult.KIND_NEXT_HOP) {
                meta0[i] = r & FibResult.ID_MASK;
                nexts[i] = NEXT_REWRITE;
            } else if (kind == FibResult.KIND_GROUP) {
                nexts[i] = selectMember(m, v, i, r & FibResult.ID_MASK, dsts[i]);
            } else if (kind == FibResult.KIND_LOCAL) {
                meta0[i] = r & FibResult.ID_MASK;
                nexts[i] = NEXT_LOCAL;
            } else if (KIND_PUNT[kind] >= 0) {
                v.meta1[i] = KIND_PUNT[kind];
                nexts[i] = NEXT_PUNT;
            } else {
                nexts[i] = drop(ERR_BLACKHOLE);
            }
        }
        return PER_PACKET;
    }

    /** ECMP: hash the 5-tuple, pick the group's member, record both. */
    private int selectMember(final MemorySegment m, final PacketVector v, final int i, final int group,
                             final int dst) {
        final long a = v.addr[i];
        final int src = m.get(BE32, a + SRC);
        final int protocol = (m.get(BE32, a + TTL_PROTO) >>> 16) & 0xFF;
        int ports = 0;
        if ((protocol == UDP || protocol == TCP) && (m.get(BE32, a + FRAG) & 0x1FFF) == 0) {
            ports = m.get(BE32, a + L4);
        }
        final int hash = FlowHash.ip4(seed, src, dst, protocol, ports >>> 16, ports & 0xFFFF);
        final int member = groups.select(group, hash);
        if (member == 0) {
            return drop(ERR_NO_GROUP_MEMBER);
        }
        v.meta0[i] = member;
        v.meta1[i] = hash;
        return NEXT_REWRITE;
    }
}
