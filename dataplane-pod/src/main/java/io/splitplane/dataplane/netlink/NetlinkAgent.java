package io.splitplane.dataplane.netlink;

import io.splitplane.dataplane.fib.EcmpGroupTable;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.fib.NeighbourTable;
import io.splitplane.dataplane.fib.NextHop;
import io.splitplane.dataplane.ip4.Ip4Tables;
import io.splitplane.kernel.netlink.Address;
import io.splitplane.kernel.netlink.AddressFamily;
import io.splitplane.kernel.netlink.Link;
import io.splitplane.kernel.netlink.Neighbour;
import io.splitplane.kernel.netlink.Nexthop;
import io.splitplane.kernel.netlink.Route;
import io.splitplane.kernel.netlink.RtnetlinkEvent;
import io.splitplane.kernel.netlink.RtnetlinkGroup;
import io.splitplane.kernel.netlink.RtnetlinkListener;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netlink.RtnetlinkSubscription;
import io.splitplane.kernel.netns.NetNamespace;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.LongHashSet;

/**
 * The netlink agent: makes the graph's tables ({@link Ip4Tables}) follow the kernel of one network
 * namespace, so that the kernel (with FRR, DHCP, {@code ip} or anything else) is the control plane and
 * the graph the user plane.
 *
 * <h2>What is mirrored</h2>
 * <ul>
 * <li>Links the dataplane owns (its ports' netdevs, by name): MAC (the source MAC of packets the
 * graph sends there), MTU, admin and operational state.</li>
 * <li>IPv4 addresses: an address of an owned link becomes a {@code /32} {@link FibResult#KIND_LOCAL}
 * entry whose id is the port (packets for this host, for local delivery or the kernel); an address
 * of any other link, and the subnet broadcast of an owned one, becomes {@link FibResult#KIND_PUNT}
 * (the graph must not forward what the kernel would take itself).</li>
 * <li>Routes of the main table: unicast over owned links (gateway or connected, multipath as an ECMP
 * group), through nexthop objects ({@code nhid}, as FRR 8 installs them) resolved when installed;
 * blackhole, unreachable and prohibit as the FIB's drop kinds; routes the graph cannot forward (out of
 * a link it does not own, THROW, other types) as PUNT, so the kernel forwards them. Of several routes
 * for one prefix the lowest metric wins, as in the kernel.</li>
 * <li>Nexthop objects and groups: each becomes a next hop or ECMP group of its own in the tables
 * ({@link Ip4Tables#addOwnNextHop}), changed in place when the object is replaced, so every route
 * using it follows with one adjacency write (a million FRR routes through one nexthop included);
 * removing one removes its routes (the kernel does so without RTM_DELROUTE) and gives its id back
 * after a grace period.</li>
 * <li>Neighbours on owned links: usable states (REACHABLE, STALE, DELAY, PROBE, PERMANENT) are
 * installed; INCOMPLETE, FAILED and deletions remove the entry, so next hops through it punt.</li>
 * </ul>
 *
 * <h2>Order and resynchronisation</h2>
 * Subscribe first, dump second, then apply the events queued meanwhile: every event carries the full
 * object, so applying one that the dump already reflected is a no-op upsert, and nothing that changed
 * during the dump is missed. When the kernel drops notifications (ENOBUFS), and when it changes tables
 * without telling (routes flushed when a link goes down or away), the agent resynchronises by
 * mark-and-sweep: it discards the notifications still queued (older than the dump, and unsafe to
 * replay when the one that superseded them was lost), dumps everything into a fresh model (what is
 * marked as seen), installs it, and sweeps from the FIB and neighbour table whatever the fresh model
 * lacks. Dumps the kernel marks
 * inconsistent are restarted by the kernel module. The agent never exits on its own: a failure to
 * apply is logged, counted and followed by a resync.
 *
 * <h2>Threads</h2>
 * One platform thread ({@code netlink-agent}) is the tables' single writer. Workers are never stopped:
 * every FIB, next-hop and neighbour change is published by the tables themselves (release stores,
 * {@link io.splitplane.dataplane.fib.Quiescence} for reclamation). Each change is applied while
 * holding the {@link Ip4Tables} monitor, so control readers ({@code show}) that hold it see the
 * agent's model and the tables agree.
 */
public final class NetlinkAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NetlinkAgent.class.getName());
    private static final Duration POLL = Duration.ofMillis(50);
    private static final int LOCAL_PREFIX = 32;

    private final String name;
    private final Ip4Tables tables;
    /** Owned netdev name → port id. */
    private final Map<String, Integer> ownedNames;
    private final RtnetlinkSubscription subscription;
    private final RtnetlinkSocket socket;
    private final Thread thread;
    private volatile boolean running = true;

    // ---- agent thread (and start) only; read by show under the tables' monitor ----
    /** Owned ifindex → port id. */
    private final Int2IntHashMap portOf = new Int2IntHashMap(-1);
    /** Every link's admin state, to notice the up → down transition after which the kernel flushes routes silently. */
    private final Int2IntHashMap linkUp = new Int2IntHashMap(-1);
    private final Map<Integer, MirroredLink> links = new ConcurrentHashMap<>();
    private KernelRouteSet routes = new KernelRouteSet();
    private Map<Integer, MirroredNexthop> nexthops = new HashMap<>();
    /** Kernel nexthop id → keys of the routes that name it (may be stale; re-checked when used). */
    private Map<Integer, LongHashSet> routesByNexthop = new HashMap<>();
    /** /32 address → LOCAL or PUNT target from interface addresses. */
    private Int2IntHashMap addressTargets = new Int2IntHashMap(FibResult.NO_ROUTE);
    /** (ifindex, address, length) of every IPv4 address, for rebuilding {@link #addressTargets}. */
    private Set<Address> addresses = new HashSet<>();
    /** Set by the agent thread and by {@link #requestResync()}; read by the agent thread. */
    private volatile boolean resyncNeeded;

    private final AtomicLong events = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong lostEvents = new AtomicLong();
    private final AtomicLong applyErrors = new AtomicLong();
    private volatile long lastResyncNanos;

    /**
     * A kernel nexthop object, the target it resolves to now, and the tables' own next hop or group
     * behind that target (0 if none), which changes in place when the object is replaced.
     */
    private record MirroredNexthop(Nexthop nexthop, int target, int ownNextHop, int ownGroup) {
    }

    private NetlinkAgent(String name, Ip4Tables tables, Map<String, Integer> ownedNames,
                         RtnetlinkSubscription subscription, RtnetlinkSocket socket) {
        this.name = name;
        this.tables = tables;
        this.ownedNames = Map.copyOf(ownedNames);
        this.subscription = subscription;
        this.socket = socket;
        this.thread = Thread.ofPlatform().name("netlink-agent-" + name).daemon().unstarted(this::run);
    }

    /**
     * Subscribes, dumps and installs the kernel's state of {@code ns} (null: the calling thread's
     * namespace) into {@code tables}, then follows it on a thread of its own. Returns when the tables
     * hold the kernel's state as of the dump.
     *
     * @param ownedPorts         netdev name → dataplane port id, for the links the dataplane owns
     * @param receiveBufferBytes the subscription's receive buffer (0: the system default)
     */
    public static NetlinkAgent start(String name, Ip4Tables tables, Map<String, Integer> ownedPorts, NetNamespace ns,
                                     int receiveBufferBytes) {
        Objects.requireNonNull(tables, "tables");
        Objects.requireNonNull(ownedPorts, "ownedPorts");
        Set<RtnetlinkGroup> groups = EnumSet.of(RtnetlinkGroup.LINK, RtnetlinkGroup.IPV4_IFADDR,
                RtnetlinkGroup.IPV4_ROUTE, RtnetlinkGroup.NEXTHOP, RtnetlinkGroup.NEIGH);
        RtnetlinkSubscription sub = ns == null ? RtnetlinkSubscription.open(groups, receiveBufferBytes)
                : RtnetlinkSubscription.open(ns, groups, receiveBufferBytes);
        RtnetlinkSocket sock = null;
        try {
            sock = ns == null ? RtnetlinkSocket.open() : RtnetlinkSocket.open(ns);
            NetlinkAgent agent = new NetlinkAgent(name, tables, ownedPorts, sub, sock);
            agent.resync();
            agent.thread.start();
            LOG.log(System.Logger.Level.INFO, "event=agent-started dataplane={0} routes={1} nexthops={2} "
                    + "neighbours={3} sync_ms={4}", name, agent.routes.size(), agent.nexthops.size(),
                    tables.nextHops().neighbours().size(), agent.lastResyncNanos / 1_000_000);
            return agent;
        } catch (RuntimeException | Error e) {
            if (sock != null) {
                sock.close();
            }
            sub.close();
            throw e;
        }
    }

    // =============================================================================================
    // The agent thread
    // =============================================================================================

    private final RtnetlinkListener listener = new RtnetlinkListener() {
        @Override
        public void onEvent(RtnetlinkEvent event) {
            events.incrementAndGet();
            synchronized (tables) {
                apply(event);
            }
        }

        @Override
        public void onResyncNeeded() {
            lostEvents.incrementAndGet();
            resyncNeeded = true;
        }
    };

    private void run() {
        while (running) {
            try {
                subscription.poll(listener, POLL);
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                applyErrors.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "event=apply-failed dataplane=" + name + " action=resync", e);
                resyncNeeded = true;
            }
            if (resyncNeeded && running) {
                try {
                    resync();
                } catch (RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    applyErrors.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "event=resync-failed dataplane=" + name + " action=retry", e);
                    resyncNeeded = true;
                    sleepQuietly();
                }
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void apply(RtnetlinkEvent event) {
        switch (event) {
            case RtnetlinkEvent.LinkChanged e -> linkChanged(e.link());
            case RtnetlinkEvent.LinkRemoved e -> {
                linkUp.remove(e.link().index());
                // The kernel removed the link's routes, addresses and neighbours, mostly without telling.
                resyncNeeded = true;
            }
            case RtnetlinkEvent.AddressAdded e -> {
                if (e.address().family() == AddressFamily.INET) {
                    // A change (flags, lifetimes) comes as another RTM_NEWADDR: replace by key.
                    removeAddress(e.address());
                    addresses.add(e.address());
                    rebuildAddressTargets(List.of(e.address()));
                }
            }
            case RtnetlinkEvent.AddressRemoved e -> {
                if (e.address().family() == AddressFamily.INET && removeAddress(e.address())) {
                    rebuildAddressTargets(List.of(e.address()));
                }
            }
            case RtnetlinkEvent.RouteAdded e -> routeAdded(routes, e.route(), true);
            case RtnetlinkEvent.RouteRemoved e -> routeRemoved(e.route());
            case RtnetlinkEvent.NexthopAdded e -> nexthopChanged(e.nexthop());
            case RtnetlinkEvent.NexthopRemoved e -> nexthopRemoved(e.nexthop().id());
            case RtnetlinkEvent.NeighbourChanged e -> neighbour(e.neighbour(), e.neighbour().isUsable());
            case RtnetlinkEvent.NeighbourRemoved e -> neighbour(e.neighbour(), false);
        }
    }

    // =============================================================================================
    // Links and addresses
    // =============================================================================================

    private void linkChanged(Link link) {
        int wasUp = linkUp.put(link.index(), link.isUp() ? 1 : 0);
        if (wasUp == 1 && !link.isUp()) {
            // IPv4 flushes the routes through a link set down without RTM_DELROUTE for each.
            resyncNeeded = true;
        }
        Integer port = ownedNames.get(link.name());
        int mapped = portOf.get(link.index());
        if (port == null) {
            if (mapped >= 0) {
                resyncNeeded = true; // an owned link renamed away
            }
            return;
        }
        if (mapped != port) {
            resyncNeeded = true; // a new owned link (or one that came back with a new ifindex)
        }
        mirrorLink(port, link);
    }

    private void mirrorLink(int port, Link link) {
        MirroredLink m = MirroredLink.of(port, link, addressesOf(link.index()));
        if (m.mac() != 0) {
            tables.setPortMac(port, m.mac());
        }
        links.put(port, m);
    }

    /** Removes the address with {@code a}'s key (ifindex, address, prefix length); returns whether there was one. */
    private boolean removeAddress(Address a) {
        return addresses.removeIf(x -> x.ifindex() == a.ifindex() && x.prefixLength() == a.prefixLength()
                && x.address().equals(a.address()));
    }

    private List<String> addressesOf(int ifindex) {
        List<String> out = new ArrayList<>();
        for (Address a : addresses) {
            if (a.ifindex() == ifindex) {
                out.add(a.cidr());
            }
        }
        out.sort(null);
        return out;
    }

    /** Recomputes the /32 targets of {@code changed} addresses (and their broadcasts) and installs them. */
    private void rebuildAddressTargets(Collection<Address> changed) {
        Int2IntHashMap fresh = addressTargetsOf(addresses);
        Int2IntHashMap old = addressTargets;
        addressTargets = fresh;
        for (Address a : changed) {
            int ip = Ip4.of(a.address());
            syncPrefix(ip, LOCAL_PREFIX);
            int broadcast = broadcastOf(ip, a.prefixLength());
            if (broadcast != ip) {
                syncPrefix(broadcast, LOCAL_PREFIX);
            }
        }
        if (old.size() != fresh.size()) {
            // Another address may share a broadcast; cheap to be thorough.
            old.keySet().forEach(k -> syncPrefix(k, LOCAL_PREFIX));
        }
        for (Address a : changed) {
            int port = portOf.get(a.ifindex());
            MirroredLink l = links.get(port);
            if (port >= 0 && l != null) {
                links.put(port, new MirroredLink(l.port(), l.ifindex(), l.name(), l.mac(), l.mtu(), l.up(),
                        l.operState(), addressesOf(a.ifindex())));
            }
        }
    }

    private Int2IntHashMap addressTargetsOf(Set<Address> all) {
        Int2IntHashMap targets = new Int2IntHashMap(FibResult.NO_ROUTE);
        for (Address a : all) {
            int port = portOf.get(a.ifindex());
            int ip = Ip4.of(a.address());
            int broadcast = broadcastOf(ip, a.prefixLength());
            if (port >= 0) {
                if (broadcast != ip && targets.get(broadcast) == FibResult.NO_ROUTE) {
                    targets.put(broadcast, FibResult.punt());
                }
            }
        }
        for (Address a : all) {
            int port = portOf.get(a.ifindex());
            targets.put(Ip4.of(a.address()), port >= 0 ? FibResult.local(port) : FibResult.punt());
        }
        return targets;
    }

    /** The subnet broadcast of {@code ip/length}, or {@code ip} itself for /31 and /32 (no broadcast). */
    private static int broadcastOf(int ip, int length) {
        return length >= 31 ? ip : ip | (int) (0xFFFF_FFFFL >>> length);
    }

    // =============================================================================================
    // Routes
    // =============================================================================================

    /** Puts a route into {@code into}; installs it when {@code install}. Returns whether it was taken. */
    private boolean routeAdded(KernelRouteSet into, Route r, boolean install) {
        if (!mirrored(r)) {
            return false;
        }
        int prefix = Ip4.of(r.dst());
        long key = KernelRouteSet.key(prefix, r.dstLength());
        int ref = refOf(r);
        into.put(key, r.priority(), ref);
        if ((ref & KernelRouteSet.NEXTHOP_REF) != 0) {
            (into == routes ? routesByNexthop : pendingRoutesByNexthop)
                    .computeIfAbsent(ref & ~KernelRouteSet.NEXTHOP_REF, k -> new LongHashSet()).add(key);
        }
        if (install) {
            syncPrefix(prefix, r.dstLength());
        }
        return true;
    }

    /** During a resync: the index of the fresh model, swapped in with it. */
    private Map<Integer, LongHashSet> pendingRoutesByNexthop = new HashMap<>();

    private void routeRemoved(Route r) {
        if (!mirrored(r)) {
            return;
        }
        int prefix = Ip4.of(r.dst());
        if (routes.remove(KernelRouteSet.key(prefix, r.dstLength()), r.priority())) {
            syncPrefix(prefix, r.dstLength());
        }
    }

    private static boolean mirrored(Route r) {
        return r.family() == AddressFamily.INET && r.table() == Route.TABLE_MAIN && r.tos() == 0 && !r.isCloned();
    }

    /** The ref a route is stored with: a nexthop object to resolve later, or a ready target. */
    private int refOf(Route r) {
        return switch (r.type()) {
            case BLACKHOLE -> FibResult.blackhole();
            case UNREACHABLE -> FibResult.unreachable();
            case PROHIBIT -> FibResult.prohibit();
            case UNICAST -> {
                if (r.nexthopId() > 0) {
                    yield KernelRouteSet.NEXTHOP_REF | r.nexthopId();
                }
                List<Ip4Tables.Path> paths = new ArrayList<>();
                if (!r.multipath().isEmpty()) {
                    for (Route.Hop hop : r.multipath()) {
                        if ((hop.flags() & Route.RTNH_F_DEAD) != 0) {
                            continue;
                        }
                        Ip4Tables.Path p = path(hop.ifindex(), hop.gateway().orElse(null), hop.weight());
                        if (p == null) {
                            yield FibResult.punt();
                        }
                        paths.add(p);
                    }
                } else {
                    yield singlePathTarget(r.oif(), r.gateway().orElse(null));
                }
                yield paths.isEmpty() ? FibResult.punt() : tables.pathsTarget(paths);
            }
            // THROW, LOCAL, BROADCAST, ... in the main table: the kernel's business.
            default -> FibResult.punt();
        };
    }

    /**
     * The target of a single-path route: one next hop per (link, gateway), cached because a full
     * table has a million routes over a handful of them (the cache is cleared whenever links are
     * mapped anew, in {@link #resync()}).
     */
    private int singlePathTarget(int ifindex, java.net.InetAddress gateway) {
        int gw = gateway instanceof Inet4Address ? Ip4.of(gateway) : 0;
        if (gateway != null && gw == 0) {
            return FibResult.punt(); // an IPv6 gateway for an IPv4 route (RTA_VIA): the kernel's business
        }
        long key = ((long) ifindex << 32) | (gw & 0xFFFF_FFFFL);
        int cached = (int) singlePathTargets.get(key);
        if (cached != FibResult.NO_ROUTE) {
            return cached;
        }
        Ip4Tables.Path p = path(ifindex, gateway, 1);
        int target = p == null ? FibResult.punt() : tables.pathsTarget(List.of(p));
        singlePathTargets.put(key, target);
        return target;
    }

    /** (ifindex, gateway) → target of single-path routes; agent thread only. */
    private final org.agrona.collections.Long2LongHashMap singlePathTargets =
            new org.agrona.collections.Long2LongHashMap(FibResult.NO_ROUTE);

    /** A path out of an owned link, or null when the link is not ours (or the gateway not IPv4). */
    private Ip4Tables.Path path(int ifindex, java.net.InetAddress gateway, int weight) {
        int port = portOf.get(ifindex);
        if (port < 0) {
            return null;
        }
        if (gateway == null) {
            return new Ip4Tables.Path(port, 0, weight);
        }
        if (!(gateway instanceof Inet4Address)) {
            return null;
        }
        return new Ip4Tables.Path(port, Ip4.of(gateway), weight);
    }

    /** The target the FIB should hold for {@code prefix/length} now. */
    private int desiredTarget(int prefix, int length) {
        if (length == LOCAL_PREFIX) {
            int t = addressTargets.get(prefix);
            if (t != FibResult.NO_ROUTE) {
                return t; // the local table is consulted before main
            }
        }
        long best = routes.best(KernelRouteSet.key(prefix, length));
        if (best == KernelRouteSet.NONE) {
            return FibResult.NO_ROUTE;
        }
        return resolve(KernelRouteSet.refOf(best));
    }

    private int resolve(int ref) {
        if ((ref & KernelRouteSet.NEXTHOP_REF) == 0) {
            return ref;
        }
        MirroredNexthop nh = nexthops.get(ref & ~KernelRouteSet.NEXTHOP_REF);
        // The kernel sends a nexthop before the routes using it; if one is missing anyway, let the kernel forward.
        return nh == null ? FibResult.punt() : nh.target();
    }

    /** Makes the FIB entry of {@code prefix/length} what the model says. */
    private void syncPrefix(int prefix, int length) {
        int want = desiredTarget(prefix, length);
        int have = tables.fib().route(prefix, length);
        if (want == have) {
            return;
        }
        if (want == FibResult.NO_ROUTE) {
            tables.removeRoute(prefix, length);
        } else {
            tables.setTarget(prefix, length, want);
        }
    }

    // =============================================================================================
    // Nexthop objects
    // =============================================================================================

    private void nexthopChanged(Nexthop nh) {
        MirroredNexthop before = nexthops.get(nh.id());
        if (before != null && before.nexthop().equals(nh)) {
            return;
        }
        MirroredNexthop after = mirror(nh, nexthops, before);
        nexthops.put(nh.id(), after);
        List<Integer> touched = new ArrayList<>();
        List<MirroredNexthop> replaced = new ArrayList<>();
        replaced.add(before);
        if (before == null || before.target() != after.target()) {
            touched.add(nh.id());
        }
        // Groups containing it: a member changed in place needs nothing more (the group names the
        // member's own next hop); one that appeared, vanished or changed kind changes the group.
        for (MirroredNexthop g : List.copyOf(nexthops.values())) {
            if (g.nexthop().group().stream().anyMatch(m -> m.id() == nh.id())) {
                MirroredNexthop regrouped = mirror(g.nexthop(), nexthops, g);
                nexthops.put(g.nexthop().id(), regrouped);
                replaced.add(g);
                if (regrouped.target() != g.target()) {
                    touched.add(g.nexthop().id());
                }
            }
        }
        for (int id : touched) {
            syncRoutesOf(id);
        }
        // Only now that no route names them any more: own ids the new state no longer uses.
        for (MirroredNexthop old : replaced) {
            if (old != null) {
                releaseUnused(old, nexthops.get(old.nexthop().id()));
            }
        }
    }

    private void syncRoutesOf(int nexthopId) {
        LongHashSet keys = routesByNexthop.get(nexthopId);
        if (keys != null) {
            for (long key : keys.toArray(new Long[0])) {
                syncPrefix(KernelRouteSet.prefixOf(key), KernelRouteSet.lengthOf(key));
            }
        }
    }

    private void nexthopRemoved(int id) {
        MirroredNexthop gone = nexthops.remove(id);
        LongHashSet keys = routesByNexthop.remove(id);
        if (keys != null) {
            // The kernel deletes every route using the object and says nothing about them.
            int ref = KernelRouteSet.NEXTHOP_REF | id;
            for (long key : keys.toArray(new Long[0])) {
                if (routes.removeRef(key, ref)) {
                    syncPrefix(KernelRouteSet.prefixOf(key), KernelRouteSet.lengthOf(key));
                }
            }
        }
        // The kernel also drops it from the groups it was in.
        for (MirroredNexthop g : List.copyOf(nexthops.values())) {
            if (g.nexthop().group().stream().anyMatch(m -> m.id() == id)) {
                MirroredNexthop regrouped = mirror(g.nexthop(), nexthops, g);
                nexthops.put(g.nexthop().id(), regrouped);
                if (regrouped.target() != g.target()) {
                    syncRoutesOf(g.nexthop().id());
                }
                releaseUnused(g, regrouped);
            }
        }
        if (gone != null) {
            releaseUnused(gone, null);
        }
    }

    /** Gives back the own next hop and group of {@code old} that {@code now} (null: gone) does not keep. */
    private void releaseUnused(MirroredNexthop old, MirroredNexthop now) {
        if (old.ownNextHop() != 0 && (now == null || now.ownNextHop() != old.ownNextHop())) {
            tables.removeOwnNextHop(old.ownNextHop());
        }
        if (old.ownGroup() != 0 && (now == null || now.ownGroup() != old.ownGroup())) {
            tables.removeOwnGroup(old.ownGroup());
        }
    }

    /**
     * What a kernel nexthop object becomes in the tables, given the objects known so far (a group's
     * members) and its previous mirror, whose own next hop or group is changed in place when the
     * object stays of the same kind: routes through it then follow without being touched.
     */
    private MirroredNexthop mirror(Nexthop nh, Map<Integer, MirroredNexthop> known, MirroredNexthop previous) {
        if (nh.blackhole()) {
            return new MirroredNexthop(nh, FibResult.blackhole(), 0, 0);
        }
        if (!nh.isGroup()) {
            Ip4Tables.Path p = nh.family() == AddressFamily.INET ? path(nh.ifindex(), nh.gateway().orElse(null), 1) : null;
            if (p == null) {
                return new MirroredNexthop(nh, FibResult.punt(), 0, 0);
            }
            NextHop def = p.gateway() == 0 ? NextHop.connected(p.port()) : NextHop.via(p.port(), p.gateway());
            int id;
            if (previous != null && previous.ownNextHop() != 0) {
                id = previous.ownNextHop();
                tables.replaceOwnNextHop(id, def);
            } else {
                id = tables.addOwnNextHop(def);
            }
            return new MirroredNexthop(nh, FibResult.nextHop(id), id, 0);
        }
        List<EcmpGroupTable.Member> members = new ArrayList<>();
        for (Nexthop.Member m : nh.group()) {
            MirroredNexthop member = known.get(m.id());
            if (member == null) {
                continue; // deleted: the kernel has dropped it from the group
            }
            if (member.ownNextHop() == 0) {
                return new MirroredNexthop(nh, FibResult.punt(), 0, 0); // a member the graph cannot use
            }
            members.add(EcmpGroupTable.Member.of(member.ownNextHop(),
                    Math.min(m.weight(), EcmpGroupTable.Member.MAX_WEIGHT)));
        }
        if (members.isEmpty()) {
            return new MirroredNexthop(nh, FibResult.punt(), 0, 0);
        }
        int id;
        if (previous != null && previous.ownGroup() != 0) {
            id = previous.ownGroup();
            tables.replaceOwnGroup(id, members);
        } else {
            id = tables.addOwnGroup(members);
        }
        return new MirroredNexthop(nh, FibResult.group(id), 0, id);
    }

    // =============================================================================================
    // Neighbours
    // =============================================================================================

    private void neighbour(Neighbour n, boolean usable) {
        if (n.family() != AddressFamily.INET) {
            return;
        }
        int port = portOf.get(n.ifindex());
        if (port < 0) {
            return;
        }
        int ip = Ip4.of(n.address());
        if (usable) {
            tables.setNeighbour(port, ip, io.splitplane.dataplane.fib.Adjacency.macOf(n.lladdr().orElseThrow().bytes()));
        } else {
            tables.removeNeighbour(port, ip);
        }
    }

    // =============================================================================================
    // Resynchronisation (mark and sweep)
    // =============================================================================================

    /**
     * Dumps links, addresses, nexthops, routes and neighbours into a fresh model (mark: what the kernel
     * has now), swaps it in and installs it, and sweeps from the tables what the fresh model lacks.
     */
    private void resync() {
        long t0 = System.nanoTime();
        resyncNeeded = false;
        discardQueuedEvents();
        List<Link> allLinks = socket.links();
        List<Address> allAddresses = socket.addresses(AddressFamily.INET);
        List<Nexthop> allNexthops = socket.nexthops();
        synchronized (tables) {
            // Links first: ifindex → port decides everything else.
            portOf.clear();
            singlePathTargets.clear();
            linkUp.clear();
            links.clear();
            for (Link l : allLinks) {
                linkUp.put(l.index(), l.isUp() ? 1 : 0);
                Integer port = ownedNames.get(l.name());
                if (port != null) {
                    portOf.put(l.index(), port.intValue());
                }
            }
            addresses = new HashSet<>(allAddresses);
            for (Link l : allLinks) {
                Integer port = ownedNames.get(l.name());
                if (port != null) {
                    mirrorLink(port, l);
                }
            }
            Int2IntHashMap oldAddressTargets = addressTargets;
            addressTargets = addressTargetsOf(addresses);
            // Nexthops: singles first, so groups find their members; own next hops and groups of
            // objects that still exist are changed in place.
            Map<Integer, MirroredNexthop> oldNexthops = nexthops;
            Map<Integer, MirroredNexthop> freshNexthops = new HashMap<>();
            for (Nexthop nh : allNexthops) {
                if (!nh.isGroup()) {
                    freshNexthops.put(nh.id(), mirror(nh, freshNexthops, oldNexthops.get(nh.id())));
                }
            }
            for (Nexthop nh : allNexthops) {
                if (nh.isGroup()) {
                    freshNexthops.put(nh.id(), mirror(nh, freshNexthops, oldNexthops.get(nh.id())));
                }
            }
            nexthops = freshNexthops;
            KernelRouteSet old = routes;
            KernelRouteSet fresh = new KernelRouteSet();
            pendingRoutesByNexthop = new HashMap<>();
            routes = fresh; // desiredTarget reads the fresh model from here on
            // The dump streams into the fresh model under the monitor, so show never sees a half-swapped one.
            socket.routes(AddressFamily.INET, Route.TABLE_MAIN, r -> {
                if (routeAdded(fresh, r, false)) {
                    syncPrefix(Ip4.of(r.dst()), r.dstLength());
                }
            });
            routesByNexthop = pendingRoutesByNexthop;
            pendingRoutesByNexthop = new HashMap<>();
            // Sweep: prefixes only the old model had, and /32s only old addresses had.
            old.forEachKey(key -> {
                if (!fresh.containsKey(key)) {
                    syncPrefix(KernelRouteSet.prefixOf(key), KernelRouteSet.lengthOf(key));
                }
            });
            oldAddressTargets.keySet().forEach(ip -> syncPrefix(ip, LOCAL_PREFIX));
            addressTargets.keySet().forEach(ip -> syncPrefix(ip, LOCAL_PREFIX));
            // No route names the own next hops and groups of vanished objects any more.
            for (Map.Entry<Integer, MirroredNexthop> e : oldNexthops.entrySet()) {
                releaseUnused(e.getValue(), freshNexthops.get(e.getKey()));
            }
        }
        // Neighbours last (next hops exist now): mark by the dump, sweep what the table has beyond it.
        List<Neighbour> allNeighbours = socket.neighbours();
        synchronized (tables) {
            Set<Long> seen = new HashSet<>();
            for (Neighbour n : allNeighbours) {
                int port = portOf.get(n.ifindex());
                if (n.family() == AddressFamily.INET && port >= 0 && n.isUsable()) {
                    neighbour(n, true);
                    seen.add(neighbourKey(port, Ip4.of(n.address())));
                }
            }
            for (NeighbourTable.Entry e : tables.nextHops().neighbours().entries()) {
                if (!seen.contains(neighbourKey(e.port(), e.address()))) {
                    tables.removeNeighbour(e.port(), e.address());
                }
            }
            tables.reclaim();
        }
        resyncs.incrementAndGet();
        lastResyncNanos = System.nanoTime() - t0;
    }

    /**
     * Throws away the notifications waiting in the subscription before a dump. They are older than
     * the dump, which reflects them; and after lost notifications they are dangerous to replay: the
     * event that superseded one of them (a route deleted after it was replaced) may be among the
     * lost, and replaying the older one after the dump would resurrect the route. Events that arrive
     * from here on are newer than this point and are applied after the dump (idempotently where the
     * dump already shows them). Bounded, so that a storm cannot keep the agent draining forever.
     */
    private void discardQueuedEvents() {
        for (int i = 0; i < MAX_DISCARD_POLLS; i++) {
            if (subscription.poll(DISCARD, Duration.ZERO) == 0) {
                return;
            }
        }
    }

    private static final int MAX_DISCARD_POLLS = 1024;

    /** Takes notifications and drops them; a loss signal needs nothing either, the dump follows. */
    private static final RtnetlinkListener DISCARD = new RtnetlinkListener() {
        @Override
        public void onEvent(RtnetlinkEvent event) {
        }

        @Override
        public void onResyncNeeded() {
        }
    };

    private static long neighbourKey(int port, int address) {
        return ((long) port << 32) | (address & 0xFFFF_FFFFL);
    }

    // =============================================================================================
    // Reading (control threads)
    // =============================================================================================

    /** The owned links as last reported, by port id. */
    public Map<Integer, MirroredLink> links() {
        return new TreeMap<>(links);
    }

    /** The agent's counters. */
    public AgentStats stats() {
        long restarts = socket.dumpRestarts(); // waits for a dump in progress: read it before taking the monitor
        return read(() -> new AgentStats(events.get(), resyncs.get(), lostEvents.get(), applyErrors.get(),
                routes.size(), nexthops.size(), lastResyncNanos, restarts));
    }

    /** Asks for a resynchronisation on the agent thread (as after lost notifications). */
    public void requestResync() {
        resyncNeeded = true;
    }

    private <T> T read(Supplier<T> reader) {
        synchronized (tables) {
            return reader.get();
        }
    }

    /** Stops the thread and closes the sockets; the tables keep what they hold. Idempotent. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscription.close();
        socket.close();
        LOG.log(System.Logger.Level.INFO, "event=agent-stopped dataplane={0} events={1} resyncs={2}", name,
                events.get(), resyncs.get());
    }

    @Override
    public String toString() {
        return "NetlinkAgent[" + name + "]";
    }
}
