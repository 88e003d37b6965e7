package io.splitplane.kernel.netlink;

import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The rtnetlink request socket: dumps, single gets and changes (each acknowledged by the kernel)
 * of links, addresses, routes, nexthop objects and neighbours in one network namespace.
 *
 * <p>The socket belongs to the namespace it was created in, whichever thread uses it later:
 * {@link #open(NetNamespace)} creates it inside {@code ns} on a short-lived thread and returns it.
 * Requests from several threads are serialised. A change either succeeds or throws a
 * {@link NetlinkException} naming the request, the errno and the kernel's extended-ACK text.
 *
 * <p>Input the kernel would reject for a reason we can state up front (an invalid interface name, a
 * non-positive ifindex, a prefix length out of range) throws {@link IllegalArgumentException}
 * before any syscall. Any use after {@link #close()} throws {@link IllegalStateException}.
 *
 * <p>Dumps that the kernel marks inconsistent ({@code NLM_F_DUMP_INTR}) are restarted, so every
 * list returned is a consistent snapshot.
 */
public final class RtnetlinkSocket extends NetlinkRequestSocket {
    /** How long one receive waits for the kernel before the request fails with EAGAIN. */
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);
    /** The largest request built here (a veth pair) needs a few hundred bytes. */
    private static final int REQUEST_BUFFER_BYTES = 8192;

    private final boolean strictChecking;

    private RtnetlinkSocket(NetlinkSocket socket, boolean strictChecking) {
        super("rtnetlink socket", socket, REQUEST_BUFFER_BYTES, Rtm::name);
        this.strictChecking = strictChecking;
    }

    /** Opens a request socket in the calling thread's network namespace. */
    public static RtnetlinkSocket open() {
        NetlinkSocket socket = NetlinkSocket.open("rtnetlink request socket");
        try {
            socket.setReceiveTimeout(REPLY_TIMEOUT);
            // Each option is an improvement the kernel may lack; without them requests still work,
            // with less error text (EXT_ACK), larger error replies (CAP_ACK) or no dump filtering (STRICT_CHK).
            socket.trySetOption(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1);
            socket.trySetOption(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1);
            boolean strict = socket.trySetOption(Netlink.SOL_NETLINK, Netlink.NETLINK_GET_STRICT_CHK, 1);
            return new RtnetlinkSocket(socket, strict);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Opens a request socket inside {@code ns}.
     *
     * @throws IllegalStateException if {@code ns} is closed
     */
    public static RtnetlinkSocket open(NetNamespace ns) {
        Objects.requireNonNull(ns, "ns");
        return ns.call(RtnetlinkSocket::open);
    }

    /** Whether the kernel validates and filters dump requests ({@code NETLINK_GET_STRICT_CHK}, Linux 4.20+). */
    public boolean strictChecking() {
        return strictChecking;
    }

    /**
     * How many dumps this socket has thrown away and requested again because the kernel marked them
     * inconsistent ({@code NLM_F_DUMP_INTR}): a measure of how busy the tables were while being read.
     */
    public long dumpRestarts() {
        return locked(exchange::dumpRestarts);
    }

    // ---- links ---------------------------------------------------------------------------------

    /** Every link in the namespace. */
    public List<Link> links() {
        return locked(() -> {
            RtnetlinkEncoder.linkDump(writer);
            return exchange.dump(writer, RtnetlinkDecoder::link, "links");
        });
    }

    /** The link called {@code name}, if there is one. */
    public Optional<Link> link(String name) {
        InterfaceName.requireValid(name);
        return locked(() -> {
            RtnetlinkEncoder.linkGet(writer, name);
            return getOrEmpty(() -> exchange.get(writer, RtnetlinkDecoder::link, "name=" + name));
        });
    }

    /** The link with {@code ifindex}, if there is one. */
    public Optional<Link> link(int ifindex) {
        requireIfindex(ifindex);
        return locked(() -> {
            RtnetlinkEncoder.linkGet(writer, ifindex);
            return getOrEmpty(() -> exchange.get(writer, RtnetlinkDecoder::link, "ifindex=" + ifindex));
        });
    }

    /**
     * The ifindex of the link called {@code name}.
     *
     * @throws NetlinkException with ENODEV if there is none
     */
    public int ifindex(String name) {
        return link(name).map(Link::index).orElseThrow(
                () -> new NetlinkException(Rtm.GETLINK, Errno.ENODEV, null, "no link named '" + name + "'"));
    }

    private static Optional<Link> getOrEmpty(Supplier<Link> get) {
        try {
            return Optional.ofNullable(get.get());
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates a veth pair with both ends in this namespace (down, as the kernel creates them). */
    public void createVeth(String name, String peerName) {
        createVeth(name, peerName, -1);
    }

    /** Creates a veth pair with {@code name} here and {@code peerName} directly inside {@code peerNamespace}. */
    public void createVeth(String name, String peerName, NetNamespace peerNamespace) {
        Objects.requireNonNull(peerNamespace, "peerNamespace");
        createVeth(name, peerName, peerNamespace.fd().get());
    }

    private void createVeth(String name, String peerName, int peerNamespaceFd) {
        InterfaceName.requireValid(name);
        InterfaceName.requireValid(peerName);
        if (name.equals(peerName) && peerNamespaceFd < 0) {
            throw new IllegalArgumentException("veth ends need different names in one namespace, both are '" + name + "'");
        }
        run(() -> {
            RtnetlinkEncoder.veth(writer, name, peerName, peerNamespaceFd);
            exchange.execute(writer, "veth " + name + " peer " + peerName);
        });
    }

    /** Deletes a link (both ends, for a veth). */
    public void deleteLink(int ifindex) {
        requireIfindex(ifindex);
        run(() -> {
            RtnetlinkEncoder.deleteLink(writer, ifindex);
            exchange.execute(writer, "ifindex=" + ifindex);
        });
    }

    /**
     * Moves a link into {@code target} ({@code IFLA_NET_NS_FD}). The link gets a new ifindex there
     * only if its index is taken; its addresses and routes are dropped, and it arrives down.
     */
    public void moveToNamespace(int ifindex, NetNamespace target) {
        requireIfindex(ifindex);
        Objects.requireNonNull(target, "target");
        int targetFd = target.fd().get();
        run(() -> {
            RtnetlinkEncoder.setLink(writer, ifindex);
            writer.attributeU32(Ifla.NET_NS_FD, targetFd);
            exchange.execute(writer, "ifindex=" + ifindex + " to netns " + target.label());
        });
    }

    /**
     * Renames a link. Linux 6.18 renames a link that is up, but older kernels refuse that with
     * EBUSY: set the link down first when the code must run on them.
     */
    public void rename(int ifindex, String newName) {
        requireIfindex(ifindex);
        InterfaceName.requireValid(newName);
        run(() -> {
            RtnetlinkEncoder.setLink(writer, ifindex);
            writer.attributeString(Ifla.IFNAME, newName);
            exchange.execute(writer, "ifindex=" + ifindex + " rename to " + newName);
        });
    }

    /** Sets a link administratively up or down ({@code IFF_UP}), leaving its other flags alone. */
    public void setUp(int ifindex, boolean up) {
        requireIfindex(ifindex);
        run(() -> {
            RtnetlinkEncoder.setUp(writer, ifindex, up);
            exchange.execute(writer, "ifindex=" + ifindex + (up ? " up" : " down"));
        });
    }

    /** Sets the MTU; the kernel checks it against the device's limits and says so in the error text. */
    public void setMtu(int ifindex, int mtu) {
        requireIfindex(ifindex);
        if (mtu <= 0) {
            throw new IllegalArgumentException("mtu=" + mtu + " must be positive");
        }
        run(() -> {
            RtnetlinkEncoder.setLink(writer, ifindex);
            writer.attributeU32(Ifla.MTU, mtu);
            exchange.execute(writer, "ifindex=" + ifindex + " mtu " + mtu);
        });
    }

    /** Sets the link's alias ({@code IFLA_IFALIAS}); an empty alias removes it. */
    public void setAlias(int ifindex, String alias) {
        requireIfindex(ifindex);
        Objects.requireNonNull(alias, "alias");
        run(() -> {
            RtnetlinkEncoder.setLink(writer, ifindex);
            writer.attributeString(Ifla.IFALIAS, alias);
            exchange.execute(writer, "ifindex=" + ifindex + " alias");
        });
    }

    // ---- addresses -----------------------------------------------------------------------------

    /** Every IPv4 and IPv6 address. */
    public List<Address> addresses() {
        return addresses(AddressFamily.UNSPEC);
    }

    /** The addresses of one family ({@link AddressFamily#UNSPEC} for all). */
    public List<Address> addresses(int family) {
        return locked(() -> {
            RtnetlinkEncoder.addressDump(writer, family);
            return exchange.dump(writer, RtnetlinkDecoder::address, "addresses");
        });
    }

    /** Adds {@code address/prefixLength} to a link ({@code ip addr add}). EEXIST if it is there already. */
    public void addAddress(int ifindex, InetAddress address, int prefixLength) {
        changeAddress(Rtm.NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, ifindex, address, prefixLength);
    }

    /** Removes {@code address/prefixLength} from a link. EADDRNOTAVAIL if it is not there. */
    public void removeAddress(int ifindex, InetAddress address, int prefixLength) {
        changeAddress(Rtm.DELADDR, 0, ifindex, address, prefixLength);
    }

    private void changeAddress(int type, int flags, int ifindex, InetAddress address, int prefixLength) {
        requireIfindex(ifindex);
        Objects.requireNonNull(address, "address");
        int max = AddressFamily.maxPrefixLength(AddressFamily.of(address));
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefixLength=" + prefixLength + " out of range 0.." + max
                    + " for " + address.getHostAddress());
        }
        run(() -> {
            RtnetlinkEncoder.address(writer, type, flags, ifindex, address, prefixLength);
            exchange.execute(writer, "ifindex=" + ifindex + " address " + address.getHostAddress() + "/" + prefixLength);
        });
    }

    // ---- routes --------------------------------------------------------------------------------

    /**
     * Every IPv4 and IPv6 route in every table. Note that this includes the local table (255), with
     * the kernel's LOCAL and BROADCAST routes for each address; use {@link #routes(int, int)} with
     * {@link Route#TABLE_MAIN} for what {@code ip route} shows.
     */
    public List<Route> routes() {
        return routes(AddressFamily.UNSPEC, Route.TABLE_UNSPEC);
    }

    /**
     * The routes of one family ({@link AddressFamily#UNSPEC} for both) in one table
     * ({@link Route#TABLE_UNSPEC} for all). With strict checking the kernel filters by table itself;
     * older kernels send every table, and the filter is applied here instead.
     */
    public List<Route> routes(int family, int table) {
        List<Route> routes = locked(() -> {
            RtnetlinkEncoder.routeDump(writer, family, table);
            return exchange.dump(writer, RtnetlinkDecoder::route, "routes");
        });
        if (table == Route.TABLE_UNSPEC) {
            return routes;
        }
        return routes.stream().filter(r -> r.table() == table).toList();
    }

    /**
     * Streams the routes of one family in one table to {@code each} as the kernel sends them, without
     * building a list: for tables of a million routes, where the list alone would take hundreds of
     * MiB. A dump the kernel marks inconsistent is requested again, so {@code each} can see a route
     * twice and must apply it idempotently (an upsert by the route's key). {@code each} runs on the
     * calling thread while this socket is held: it must not use this socket. Returns the number of
     * routes delivered.
     */
    public long routes(int family, int table, java.util.function.Consumer<? super Route> each) {
        Objects.requireNonNull(each, "each");
        return locked(() -> {
            RtnetlinkEncoder.routeDump(writer, family, table);
            return exchange.dumpEach(writer, RtnetlinkDecoder::route, r -> {
                if (table == Route.TABLE_UNSPEC || r.table() == table) {
                    each.accept(r);
                }
            }, "routes");
        });
    }

    /** Adds a route ({@code ip route add}); EEXIST if one with the same key exists. */
    public void addRoute(Route route) {
        changeRoute(Rtm.NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, route);
    }

    /** Adds a route, or replaces the one with the same key ({@code ip route replace}). */
    public void replaceRoute(Route route) {
        changeRoute(Rtm.NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, route);
    }

    /**
     * Removes a route, found by its key plus whatever path it names (gateway, oif, nexthop id); ESRCH
     * if there is none. A route read from a dump can be passed back as it is.
     */
    public void removeRoute(Route route) {
        changeRoute(Rtm.DELROUTE, 0, route);
    }

    private void changeRoute(int type, int flags, Route route) {
        Objects.requireNonNull(route, "route");
        run(() -> {
            RtnetlinkEncoder.route(writer, type, flags, route);
            exchange.execute(writer, "route " + route.prefix() + " table " + Integer.toUnsignedString(route.table()));
        });
    }

    // ---- nexthop objects -----------------------------------------------------------------------

    /** Every nexthop object and group. */
    public List<Nexthop> nexthops() {
        return locked(() -> {
            RtnetlinkEncoder.nexthopDump(writer);
            return exchange.dump(writer, RtnetlinkDecoder::nexthop, "nexthops");
        });
    }

    /** Adds a nexthop object or group ({@code ip nexthop add}); EEXIST if the id is taken. */
    public void addNexthop(Nexthop nexthop) {
        changeNexthop(Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, nexthop);
    }

    /** Adds a nexthop, or replaces the one with the same id; routes using it follow the new path. */
    public void replaceNexthop(Nexthop nexthop) {
        changeNexthop(Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, nexthop);
    }

    private void changeNexthop(int flags, Nexthop nexthop) {
        Objects.requireNonNull(nexthop, "nexthop");
        run(() -> {
            RtnetlinkEncoder.nexthop(writer, flags, nexthop);
            exchange.execute(writer, "nexthop id=" + nexthop.id());
        });
    }

    /** Removes a nexthop object; the kernel also removes every route using it. ENOENT if there is none. */
    public void removeNexthop(int id) {
        if (id <= 0) {
            throw new IllegalArgumentException("nexthop id=" + id + " must be positive");
        }
        run(() -> {
            RtnetlinkEncoder.deleteNexthop(writer, id);
            exchange.execute(writer, "nexthop id=" + id);
        });
    }

    // ---- neighbours ----------------------------------------------------------------------------

    /** Every ARP and NDP entry (bridge FDB entries are not included). */
    public List<Neighbour> neighbours() {
        return neighbours(AddressFamily.UNSPEC);
    }

    /** The neighbour entries of one family ({@link AddressFamily#UNSPEC} for both). */
    public List<Neighbour> neighbours(int family) {
        return locked(() -> {
            RtnetlinkEncoder.neighbourDump(writer, family);
            return exchange.dump(writer, RtnetlinkDecoder::neighbour, "neighbours");
        });
    }

    /**
     * Sets a neighbour entry ({@code ip neigh replace ADDRESS lladdr MAC nud STATE dev IFINDEX}): creates
     * it or replaces the one there. {@code state} is a {@code NUD_*} value, usually
     * {@link Neighbour#NUD_PERMANENT} for a static entry.
     */
    public void setNeighbour(int ifindex, InetAddress address, MacAddress lladdr, int state) {
        requireIfindex(ifindex);
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(lladdr, "lladdr");
        run(() -> {
            RtnetlinkEncoder.neighbour(writer, Rtm.NEWNEIGH, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, ifindex,
                    address, lladdr.bytes(), state);
            exchange.execute(writer, "ifindex=" + ifindex + " neighbour " + address.getHostAddress() + " lladdr " + lladdr);
        });
    }

    /** Removes a neighbour entry. ENOENT if there is none. */
    public void removeNeighbour(int ifindex, InetAddress address) {
        requireIfindex(ifindex);
        Objects.requireNonNull(address, "address");
        run(() -> {
            RtnetlinkEncoder.neighbour(writer, Rtm.DELNEIGH, 0, ifindex, address, null, 0);
            exchange.execute(writer, "ifindex=" + ifindex + " neighbour " + address.getHostAddress());
        });
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    @Override
    public String toString() {
        return "RtnetlinkSocket[port=" + socket.portId() + (isClosed() ? ", closed" : "") + "]";
    }
}
