package io.splitplane.kernel.netlink;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A route ({@code rtmsg} + {@code RTA_*}), as read from the kernel or to be written to it. The IPv4
 * identity key is {@code (table, dst, dstLength, tos, priority)}.
 *
 * <p>Absent numbers use sentinels that the kernel never assigns: {@code oif == 0} (no output
 * interface), {@code nexthopId == 0} (no nexthop object), {@code priority == 0} (no
 * {@code RTA_PRIORITY}, which IPv4 treats as metric 0).
 *
 * <p>A route that uses a nexthop object ({@code nexthopId != 0}) is reported with the resolved path
 * too: the object's gateway and oif, or, for a group, one {@link Hop} per member in {@code multipath}.
 *
 * <p>Build routes to add with the factories and the {@code with...} methods, e.g.
 * {@code Route.via(dst, 24, gateway, ifindex).withPriority(100)}. They default to the main table,
 * protocol {@link #PROTOCOL_STATIC} and scope {@link #SCOPE_UNIVERSE} ({@link #SCOPE_LINK} for
 * {@link #device}).
 *
 * @param family    {@link AddressFamily#INET} or {@link AddressFamily#INET6}
 * @param table     routing table id ({@code RTA_TABLE}, authoritative over the 8-bit {@code rtm_table})
 * @param dst       destination prefix; the all-zero address for a default route
 * @param dstLength prefix length
 * @param type      {@code rtm_type}
 * @param protocol  {@code RTPROT_*}, who installed it (e.g. {@link #PROTOCOL_KERNEL})
 * @param scope     {@code RT_SCOPE_*}
 * @param priority  metric ({@code RTA_PRIORITY})
 * @param gateway   {@code RTA_GATEWAY}, or the {@code RTA_VIA} address of an IPv4 route via IPv6
 * @param oif       output interface ({@code RTA_OIF}), 0 if none
 * @param prefsrc   preferred source address ({@code RTA_PREFSRC})
 * @param nexthopId nexthop object id ({@code RTA_NH_ID}), 0 if none
 * @param multipath the paths of an ECMP route ({@code RTA_MULTIPATH}), empty otherwise
 * @param tos       {@code rtm_tos}
 * @param flags     {@code rtm_flags} ({@code RTNH_F_*} for a single-path route, {@code RTM_F_*})
 */
public record Route(int family, int table, InetAddress dst, int dstLength, RouteType type, int protocol, int scope,
                    int priority, Optional<InetAddress> gateway, int oif, Optional<InetAddress> prefsrc,
                    int nexthopId, List<Hop> multipath, int tos, int flags) {

    public static final int TABLE_UNSPEC = 0;
    public static final int TABLE_DEFAULT = 253;
    public static final int TABLE_MAIN = 254;
    public static final int TABLE_LOCAL = 255;

    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_SITE = 200;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;
    public static final int SCOPE_NOWHERE = 255;

    public static final int PROTOCOL_UNSPEC = 0;
    public static final int PROTOCOL_REDIRECT = 1;
    public static final int PROTOCOL_KERNEL = 2;
    public static final int PROTOCOL_BOOT = 3;
    public static final int PROTOCOL_STATIC = 4;
    public static final int PROTOCOL_DHCP = 16;
    public static final int PROTOCOL_OSPF = 188;

    /** {@code RTNH_F_*}: per-path flags, in {@link Hop#flags()} and in {@link #flags()}. */
    public static final int RTNH_F_DEAD = 1;
    public static final int RTNH_F_ONLINK = 4;
    public static final int RTNH_F_LINKDOWN = 16;

    public Route {
        if (family != AddressFamily.INET && family != AddressFamily.INET6) {
            throw new IllegalArgumentException("route family must be AF_INET or AF_INET6, got family=" + family);
        }
        Objects.requireNonNull(dst, "dst");
        if (AddressFamily.of(dst) != family) {
            throw new IllegalArgumentException("dst " + dst.getHostAddress() + " is not of family="
                    + AddressFamily.name(family));
        }
        if (dstLength < 0 || dstLength > AddressFamily.maxPrefixLength(family)) {
            throw new IllegalArgumentException("dstLength=" + dstLength + " out of range for "
                    + AddressFamily.name(family));
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(prefsrc, "prefsrc");
        multipath = List.copyOf(multipath);
    }

    // ---- factories -----------------------------------------------------------------------------

    /** A unicast route to {@code dst/dstLength} with no path yet (add one with the {@code with...} methods). */
    public static Route to(InetAddress dst, int dstLength) {
        return new Route(AddressFamily.of(dst), TABLE_MAIN, dst, dstLength, RouteType.UNICAST, PROTOCOL_STATIC,
                SCOPE_UNIVERSE, 0, Optional.empty(), 0, Optional.empty(), 0, List.of(), 0, 0);
    }

    /** A route via {@code gateway}, letting the kernel pick the interface. */
    public static Route via(InetAddress dst, int dstLength, InetAddress gateway) {
        return to(dst, dstLength).withGateway(gateway);
    }

    /** A route via {@code gateway} out of {@code oif}. */
    public static Route via(InetAddress dst, int dstLength, InetAddress gateway, int oif) {
        return to(dst, dstLength).withGateway(gateway).withOif(oif);
    }

    /** A directly connected route out of {@code oif} (scope link, no gateway). */
    public static Route device(InetAddress dst, int dstLength, int oif) {
        return to(dst, dstLength).withOif(oif).withScope(SCOPE_LINK);
    }

    /** A route through a nexthop object or group ({@code RTA_NH_ID}). */
    public static Route usingNexthop(InetAddress dst, int dstLength, int nexthopId) {
        return to(dst, dstLength).withNexthopId(nexthopId);
    }

    /** An ECMP route over {@code hops} ({@code RTA_MULTIPATH}). */
    public static Route multipath(InetAddress dst, int dstLength, List<Hop> hops) {
        if (hops.isEmpty()) {
            throw new IllegalArgumentException("a multipath route needs at least one hop");
        }
        return to(dst, dstLength).withMultipath(hops);
    }

    /** A pathless route: BLACKHOLE, UNREACHABLE, PROHIBIT or THROW. */
    public static Route ofType(RouteType type, InetAddress dst, int dstLength) {
        return to(dst, dstLength).withType(type);
    }

    // ---- with... -------------------------------------------------------------------------------

    public Route withTable(int table) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority, gateway, oif, prefsrc,
                nexthopId, multipath, tos, flags);
    }

    public Route withType(RouteType type) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority, gateway, oif, prefsrc,
                nexthopId, multipath, tos, flags);
    }

    public Route withProtocol(int protocol) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority, gateway, oif, prefsrc,
                nexthopId, multipath, tos, flags);
    }

    public Route withScope(int scope) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority, gateway, oif, prefsrc,
                nexthopId, multipath, tos, flags);
    }

    public Route withPriority(int priority) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority, gateway, oif, prefsrc,
                nexthopId, multipath, tos, flags);
    }

    public Route withGateway(InetAddress gateway) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority,
                Optional.of(gateway), oif, prefsrc, nexthopId, multipath, tos, flags);
    }

    public Route withOif(int oif) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority, gateway, oif, prefsrc,
                nexthopId, multipath, tos, flags);
    }

    public Route withPrefsrc(InetAddress prefsrc) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority, gateway, oif,
                Optional.of(prefsrc), nexthopId, multipath, tos, flags);
    }

    public Route withNexthopId(int nexthopId) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority, gateway, oif, prefsrc,
                nexthopId, multipath, tos, flags);
    }

    public Route withMultipath(List<Hop> multipath) {
        return new Route(family, table, dst, dstLength, type, protocol, scope, priority, gateway, oif, prefsrc,
                nexthopId, multipath, tos, flags);
    }

    // ---- reading -------------------------------------------------------------------------------

    /** {@code dst/dstLength}, e.g. {@code 10.1.0.0/24} or {@code ::/0}. */
    public String prefix() {
        return dst.getHostAddress() + "/" + dstLength;
    }

    /** The default route of its family ({@code 0.0.0.0/0}, {@code ::/0}). */
    public boolean isDefault() {
        return dstLength == 0;
    }

    /** A route-cache entry ({@code RTM_F_CLONED}), not a table entry. */
    public boolean isCloned() {
        return (flags & Rta.RTM_F_CLONED) != 0;
    }

    /** Whether the address bits beyond {@code dstLength} are all zero (the kernel rejects IPv4 routes otherwise). */
    public boolean isCanonical() {
        byte[] bytes = dst.getAddress();
        byte[] masked = bytes.clone();
        for (int bit = dstLength; bit < bytes.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return Arrays.equals(bytes, masked);
    }

    /**
     * One path of a multipath route ({@code struct rtnexthop} + nested attributes).
     *
     * @param gateway {@code RTA_GATEWAY} (or {@code RTA_VIA}); empty for a device-only path
     * @param ifindex {@code rtnh_ifindex}
     * @param weight  1 to 256 ({@code rtnh_hops + 1})
     * @param flags   {@code RTNH_F_*}
     */
    public record Hop(Optional<InetAddress> gateway, int ifindex, int weight, int flags) {
        /** Largest weight {@code rtnh_hops} (a u8) can express. */
        public static final int MAX_WEIGHT = 256;

        public Hop {
            Objects.requireNonNull(gateway, "gateway");
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("hop weight=" + weight + " out of range 1.." + MAX_WEIGHT);
            }
        }

        public static Hop via(InetAddress gateway, int ifindex) {
            return new Hop(Optional.of(gateway), ifindex, 1, 0);
        }

        public static Hop via(InetAddress gateway, int ifindex, int weight) {
            return new Hop(Optional.of(gateway), ifindex, weight, 0);
        }

        public static Hop device(int ifindex) {
            return new Hop(Optional.empty(), ifindex, 1, 0);
        }
    }
}
