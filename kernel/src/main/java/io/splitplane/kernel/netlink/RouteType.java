package io.splitplane.kernel.netlink;

/** Route type ({@code rtm_type}, {@code RTN_*}); the ordinal is the kernel value. */
public enum RouteType {
    UNSPEC, UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE;

    /** The kernel value. */
    public int code() {
        return ordinal();
    }

    static RouteType of(int value) {
        RouteType[] all = values();
        return value >= 0 && value < all.length ? all[value] : UNSPEC;
    }
}
