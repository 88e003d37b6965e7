package io.splitplane.kernel.netlink;

import java.util.EnumSet;
import java.util.Set;

/** rtnetlink multicast groups ({@code RTNLGRP_*}) a subscription can join. */
public enum RtnetlinkGroup {
    LINK(1),
    NEIGH(3),
    IPV4_IFADDR(5),
    IPV4_ROUTE(7),
    IPV6_IFADDR(9),
    IPV6_ROUTE(11),
    /** Nexthop objects: needed whenever routes may carry {@code RTA_NH_ID} (FRR). */
    NEXTHOP(32);

    private final int number;

    RtnetlinkGroup(int number) {
        this.number = number;
    }

    /** The {@code RTNLGRP_*} value passed to {@code NETLINK_ADD_MEMBERSHIP}. */
    public int number() {
        return number;
    }

    /** Every group a forwarding mirror of links, addresses, routes, nexthops and neighbours needs. */
    public static Set<RtnetlinkGroup> all() {
        return EnumSet.allOf(RtnetlinkGroup.class);
    }
}
