package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.fib.EcmpGroupTable;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.IdAllocator;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.fib.Ip4Fib;
import io.splitplane.dataplane.fib.NextHop;
import io.splitplane.dataplane.fib.NextHopTable;
import io.splitplane.dataplane.fib.Quiescence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The forwarding tables of one dataplane (FIB, next hops, neighbours, ECMP groups, port MACs) and
 * the control-side API that changes them: routes by prefix and paths, neighbours, port MACs. Until
 * the netlink agent exists, the config file and tests call it.
 *
 * <p>Threads: workers read the tables through the ip4 nodes without locks (each worker registers a
 * {@link Quiescence.Reader} with {@link #registerWorker()} and reports quiescence every loop,
 * {@link FibQuiescentNode}); every method here is a control-side change and is {@code synchronized},
 * so callers from several threads are serialised into the single writer the tables require. Nothing
 * here blocks a worker.
 *
 * <p>Next hops and ECMP groups are shared: a route's paths name (port, gateway) pairs, and each
 * distinct pair gets one next-hop id, each distinct member list one group id, reused by every route
 * that names it. They are kept for the life of the tables (a static config, or the single-path
 * routes of a kernel table, have few). Kernel nexthop objects get next hops and groups of their own
 * ({@link #addOwnNextHop}, {@link #addOwnGroup}), changed in place and given back; all ids come from
 * {@link IdAllocator}, which reuses one only after a grace period.
 */
public final class Ip4Tables implements AutoCloseable {
    /**
     * One path of a route.
     *
     * @param port    egress dataplane port id
     * @param gateway gateway address (host order), or 0 for a connected path
     * @param weight  ECMP weight 1..65536
     */
    public record Path(int port, int gateway, int weight) {
        public Path {
            if (weight < 1 || weight > EcmpGroupTable.Member.MAX_WEIGHT) {
                throw new IllegalArgumentException("weight=" + weight + " out of range 1.."
                        + EcmpGroupTable.Member.MAX_WEIGHT);
            }
        }

        /** Via {@code gateway} on {@code port}, weight 1. */
        public static Path via(final int port, final int gateway) {
            return new Path(port, gateway, 1);
        }

        /** Directly connected on {@code port}. */
        public static Path connected(final int port) {
            return new Path(port, 0, 1);
        }
    }

    private final Quiescence quiescence;
    private final Ip4Fib fib;
    private final NextHopTable nextHops;
    private final EcmpGroupTable groups;
    private final Map<NextHop, Integer> nextHopIds = new HashMap<>();
    private final Map<List<EcmpGroupTable.Member>, Integer> groupIds = new HashMap<>();
    /** Ids are handed out again only after a grace period (a worker may still hold one from a lookup). */
    private final IdAllocator nextHopIdAllocator;
    private final IdAllocator groupIdAllocator;
    private boolean closed;

    /** Tables for up to {@code maxWorkers} worker threads. */
    public Ip4Tables(final int maxWorkers) {
        this(maxWorkers, Ip4Fib.DEFAULT_INITIAL_TBL8_GROUPS);
    }

    /** As {@link #Ip4Tables(int)}, with {@code initialTbl8Groups} groups up front (big tables). */
    public Ip4Tables(final int maxWorkers, final int initialTbl8Groups) {
        this.quiescence = new Quiescence(maxWorkers);
        this.fib = new Ip4Fib(quiescence, initialTbl8Groups, Ip4Fib.DEFAULT_MAX_TBL8_GROUPS);
        this.nextHops = new NextHopTable();
        this.groups = new EcmpGroupTable();
        this.nextHopIdAllocator = new IdAllocator(quiescence, NextHopTable.DEFAULT_MAX_ID);
        this.groupIdAllocator = new IdAllocator(quiescence, EcmpGroupTable.DEFAULT_MAX_ID);
    }

    /** Registers a worker (call before its graph first runs; close the reader when it stops). */
    public Quiescence.Reader registerWorker() {
        return quiescence.register();
    }

    public Ip4Fib fib() {
        return fib;
    }

    public NextHopTable nextHops() {
        return nextHops;
    }

    public EcmpGroupTable groups() {
        return groups;
    }

    public Quiescence quiescence() {
        return quiescence;
    }

    // ---- control ---------------------------------------------------------------------------------

    /** The source MAC of packets sent on dataplane port {@code port}. */
    public synchronized void setPortMac(final int port, final long mac) {
        nextHops.setPortMac(port, mac);
    }

    /** Sets (adds or changes) neighbour {@code address} on {@code port}. */
    public synchronized void setNeighbour(final int port, final int address, final long mac) {
        nextHops.setNeighbour(port, address, mac);
    }

    /** Removes neighbour {@code address} on {@code port}: packets to it drop as {@code no-neighbour}. */
    public synchronized void removeNeighbour(final int port, final int address) {
        nextHops.removeNeighbour(port, address);
    }

    /**
     * Adds or replaces the route {@code prefix/length} with {@code paths}: one path is a next hop,
     * several an ECMP group (weighted by {@link Path#weight}).
     */
    public synchronized void setRoute(final int prefix, final int length, final List<Path> paths) {
        Objects.requireNonNull(paths, "paths");
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("route " + Ip4.toString(prefix) + "/" + length + " has no paths");
        }
        setTarget(prefix, length, pathsTarget(paths));
    }

    /**
     * The {@link FibResult} target for {@code paths} without installing a route: the shared next hop
     * of one path, or the shared ECMP group of several, created on first use (the netlink agent
     * resolves kernel nexthop objects with it).
     */
    public synchronized int pathsTarget(final List<Path> paths) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no paths");
        }
        if (paths.size() == 1) {
            return FibResult.nextHop(nextHopId(paths.getFirst()));
        }
        final List<EcmpGroupTable.Member> members = new ArrayList<>();
        for (final Path p : paths) {
            members.add(EcmpGroupTable.Member.of(nextHopId(p), p.weight()));
        }
        members.sort(Comparator.comparingInt(EcmpGroupTable.Member::nextHopId));
        Integer id = groupIds.get(members);
        if (id == null) {
            id = groupIdAllocator.allocate();
            groups.add(id, members.toArray(EcmpGroupTable.Member[]::new));
            groupIds.put(List.copyOf(members), id);
        }
        return FibResult.group(id);
    }

    /** {@link #setRoute(int, int, List)} with the paths given. */
    public void setRoute(final int prefix, final int length, final Path... paths) {
        setRoute(prefix, length, List.of(paths));
    }

    /**
     * Adds or replaces the route {@code prefix/length} with a {@link FibResult} target that is not a
     * next hop: {@link FibResult#blackhole()}, {@link FibResult#unreachable()},
     * {@link FibResult#prohibit()}, {@link FibResult#local(int)}, {@link FibResult#punt()}.
     */
    public synchronized void setTarget(final int prefix, final int length, final int target) {
        fib.replaceRoute(prefix, length, target);
        quiescence.reclaim();
    }

    /** Removes the route {@code prefix/length}; returns whether there was one. */
    public synchronized boolean removeRoute(final int prefix, final int length) {
        final boolean removed = fib.removeRoute(prefix, length) != FibResult.NO_ROUTE;
        quiescence.reclaim();
        return removed;
    }

    /** Bulk load of many routes with ready-made targets into an empty FIB (benchmarks, tests). */
    public synchronized void bulkLoad(final int[] prefixes, final int[] lengths, final int[] targets, final int count) {
        fib.bulkLoad(prefixes, lengths, targets, count);
    }

    /**
     * The next-hop id of {@code path} (port and gateway; the weight is the group's business),
     * created on first use.
     */
    public synchronized int nextHopId(final Path path) {
        final NextHop nh = path.gateway() == 0 ? NextHop.connected(path.port()) : NextHop.via(path.port(),
                path.gateway());
        Integer id = nextHopIds.get(nh);
        if (id == null) {
            id = nextHopIdAllocator.allocate();
            nextHops.add(id, nh);
            nextHopIds.put(nh, id);
        }
        return id;
    }

    // ---- next hops and groups that change in place (kernel nexthop objects) ----------------------

    /**
     * A next hop of its own, not shared with any other route or object, so that it can be changed in
     * place: every route naming it follows with one adjacency write (a kernel nexthop object replaced).
     */
    public synchronized int addOwnNextHop(final NextHop nextHop) {
        final int id = nextHopIdAllocator.allocate();
        nextHops.add(id, nextHop);
        return id;
    }

    /** Changes an own next hop in place. */
    public synchronized void replaceOwnNextHop(final int id, final NextHop nextHop) {
        nextHops.replace(id, nextHop);
    }

    /** Removes an own next hop; its id is reused only after a grace period. */
    public synchronized void removeOwnNextHop(final int id) {
        nextHops.remove(id);
        nextHopIdAllocator.release(id);
    }

    /** An ECMP group of its own over {@code members} (distinct next-hop ids), changeable in place. */
    public synchronized int addOwnGroup(final List<EcmpGroupTable.Member> members) {
        final int id = groupIdAllocator.allocate();
        groups.add(id, members.toArray(EcmpGroupTable.Member[]::new));
        return id;
    }

    /** Changes an own group's members in place (flows stay on members that stay). */
    public synchronized void replaceOwnGroup(final int id, final List<EcmpGroupTable.Member> members) {
        groups.replace(id, members.toArray(EcmpGroupTable.Member[]::new));
    }

    /** Removes an own group; its id is reused only after a grace period. */
    public synchronized void removeOwnGroup(final int id) {
        groups.remove(id);
        groupIdAllocator.release(id);
    }

    /** Runs reclamation whose grace period is over (tbl8 groups, old pools). */
    public synchronized int reclaim() {
        return quiescence.reclaim();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            fib.close();
        }
    }
}
