package io.splitplane.kernel.netlink;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns rtnetlink messages into records and events. Each method returns null for a message that is
 * not one of ours (another family, a route-cache entry, a bridge FDB entry) or that lacks what the
 * record cannot do without, so callers simply skip nulls.
 */
final class RtnetlinkDecoder {
    private RtnetlinkDecoder() {
    }

    /** The notification a message stands for, or null for message types this package does not report. */
    static RtnetlinkEvent event(NetlinkMessage m) {
        return switch (m.type()) {
            case Rtm.NEWLINK -> wrap(link(m), RtnetlinkEvent.LinkChanged::new);
            case Rtm.DELLINK -> wrap(link(m), RtnetlinkEvent.LinkRemoved::new);
            case Rtm.NEWADDR -> wrap(address(m), RtnetlinkEvent.AddressAdded::new);
            case Rtm.DELADDR -> wrap(address(m), RtnetlinkEvent.AddressRemoved::new);
            case Rtm.NEWROUTE -> wrap(route(m), RtnetlinkEvent.RouteAdded::new);
            case Rtm.DELROUTE -> wrap(route(m), RtnetlinkEvent.RouteRemoved::new);
            case Rtm.NEWNEXTHOP -> wrap(nexthop(m), RtnetlinkEvent.NexthopAdded::new);
            case Rtm.DELNEXTHOP -> wrap(nexthop(m), RtnetlinkEvent.NexthopRemoved::new);
            case Rtm.NEWNEIGH -> wrap(neighbour(m), RtnetlinkEvent.NeighbourChanged::new);
            case Rtm.DELNEIGH -> wrap(neighbour(m), RtnetlinkEvent.NeighbourRemoved::new);
            default -> null;
        };
    }

    private static <T> RtnetlinkEvent wrap(T value, Function<T, RtnetlinkEvent> kind) {
        return value == null ? null : kind.apply(value);
    }

    // ---- links ---------------------------------------------------------------------------------

    /**
     * A link from RTM_NEWLINK/RTM_DELLINK. Only {@code AF_UNSPEC} messages describe the device itself;
     * AF_BRIDGE (bridge port) and AF_INET6 (per-family state) variants are skipped.
     */
    static Link link(NetlinkMessage m) {
        if (!m.hasPayload(IfInfoMsgLayout.SIZE)) {
            return null;
        }
        MemorySegment s = m.segment();
        int h = m.payload();
        if (Wire.u8(s, h + IfInfoMsgLayout.FAMILY) != AddressFamily.UNSPEC) {
            return null;
        }
        Attributes a = m.attributes(IfInfoMsgLayout.SIZE, Ifla.MAX);
        Optional<String> name = a.string(Ifla.IFNAME);
        if (name.isEmpty()) {
            return null;
        }
        Attributes info = a.nested(Ifla.LINKINFO, Ifla.INFO_MAX);
        return new Link(
                Wire.i32(s, h + IfInfoMsgLayout.INDEX),
                name.get(),
                Wire.u16(s, h + IfInfoMsgLayout.TYPE),
                Wire.i32(s, h + IfInfoMsgLayout.FLAGS),
                a.u32(Ifla.MTU, 0),
                a.mac(Ifla.ADDRESS),
                OperState.of(a.u8(Ifla.OPERSTATE, 0)),
                info.string(Ifla.INFO_KIND),
                a.u32(Ifla.MASTER, 0),
                a.u32(Ifla.LINK, 0),
                a.optionalU32(Ifla.LINK_NETNSID),
                a.u32(Ifla.NUM_RX_QUEUES, 0),
                a.u32(Ifla.NUM_TX_QUEUES, 0),
                a.u8(Ifla.CARRIER, 0) != 0,
                xdp(a.nested(Ifla.XDP, Ifla.XDP_MAX)),
                a.string(Ifla.PARENT_DEV_NAME),
                a.string(Ifla.PARENT_DEV_BUS_NAME),
                altNames(a),
                a.string(Ifla.IFALIAS).filter(alias -> !alias.isEmpty()),
                a.mac(Ifla.PERM_ADDRESS));
    }

    private static XdpState xdp(Attributes x) {
        XdpAttachMode mode = XdpAttachMode.of(x.u8(Ifla.XDP_ATTACHED, 0));
        if (mode == XdpAttachMode.NONE) {
            return XdpState.NONE;
        }
        return new XdpState(mode, x.u32(Ifla.XDP_PROG_ID, 0), x.u32(Ifla.XDP_DRV_PROG_ID, 0),
                x.u32(Ifla.XDP_SKB_PROG_ID, 0), x.u32(Ifla.XDP_HW_PROG_ID, 0));
    }

    private static List<String> altNames(Attributes a) {
        if (!a.has(Ifla.PROP_LIST)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        int start = a.offset(Ifla.PROP_LIST);
        Attributes.forEach(a.segment(), start, start + a.length(Ifla.PROP_LIST), (type, payload, length) -> {
            if (type == Ifla.ALT_IFNAME) {
                names.add(Attributes.string(a.segment(), payload, length));
            }
        });
        return names;
    }

    // ---- addresses -----------------------------------------------------------------------------

    static Address address(NetlinkMessage m) {
        if (!m.hasPayload(IfAddrMsgLayout.SIZE)) {
            return null;
        }
        MemorySegment s = m.segment();
        int h = m.payload();
        int family = Wire.u8(s, h + IfAddrMsgLayout.FAMILY);
        if (family != AddressFamily.INET && family != AddressFamily.INET6) {
            return null;
        }
        Attributes a = m.attributes(IfAddrMsgLayout.SIZE, Ifa.MAX);
        Optional<InetAddress> address = a.address(Ifa.LOCAL).or(() -> a.address(Ifa.ADDRESS));
        if (address.isEmpty()) {
            return null;
        }
        return new Address(
                Wire.i32(s, h + IfAddrMsgLayout.INDEX),
                family,
                address.get(),
                Wire.u8(s, h + IfAddrMsgLayout.PREFIX_LENGTH),
                Wire.u8(s, h + IfAddrMsgLayout.SCOPE),
                a.u32(Ifa.FLAGS, Wire.u8(s, h + IfAddrMsgLayout.FLAGS)),
                a.string(Ifa.LABEL));
    }

    // ---- routes --------------------------------------------------------------------------------

    /** A route; route-cache entries ({@code RTM_F_CLONED}) and non-IP families (multicast routing) are skipped. */
    static Route route(NetlinkMessage m) {
        if (!m.hasPayload(RtMsgLayout.SIZE)) {
            return null;
        }
        MemorySegment s = m.segment();
        int h = m.payload();
        int family = Wire.u8(s, h + RtMsgLayout.FAMILY);
        int flags = Wire.i32(s, h + RtMsgLayout.FLAGS);
        if ((family != AddressFamily.INET && family != AddressFamily.INET6) || (flags & Rta.RTM_F_CLONED) != 0) {
            return null;
        }
        Attributes a = m.attributes(RtMsgLayout.SIZE, Rta.MAX);
        int dstLength = Wire.u8(s, h + RtMsgLayout.DST_LENGTH);
        InetAddress dst = a.address(Rta.DST).orElseGet(() -> AddressFamily.any(family));
        if (AddressFamily.of(dst) != family || dstLength > AddressFamily.maxPrefixLength(family)) {
            return null;
        }
        return new Route(
                family,
                a.u32(Rta.TABLE, Wire.u8(s, h + RtMsgLayout.TABLE)),
                dst,
                dstLength,
                RouteType.of(Wire.u8(s, h + RtMsgLayout.TYPE)),
                Wire.u8(s, h + RtMsgLayout.PROTOCOL),
                Wire.u8(s, h + RtMsgLayout.SCOPE),
                a.u32(Rta.PRIORITY, 0),
                gateway(s, a, Rta.GATEWAY, Rta.VIA),
                a.u32(Rta.OIF, 0),
                a.address(Rta.PREFSRC),
                a.u32(Rta.NH_ID, 0),
                multipath(a),
                Wire.u8(s, h + RtMsgLayout.TOS),
                flags);
    }

    /** {@code RTA_GATEWAY}, else the address in {@code RTA_VIA} ({@code struct rtvia}: u16 family + address). */
    private static Optional<InetAddress> gateway(MemorySegment s, Attributes a, int gatewayType, int viaType) {
        Optional<InetAddress> gateway = a.address(gatewayType);
        if (gateway.isPresent() || !a.has(viaType)) {
            return gateway;
        }
        int length = a.length(viaType) - 2;
        if (length != 4 && length != 16) {
            return Optional.empty();
        }
        return Optional.of(AddressFamily.address(Attributes.bytes(s, a.offset(viaType) + 2, length)));
    }

    private static List<Route.Hop> multipath(Attributes a) {
        if (!a.has(Rta.MULTIPATH)) {
            return List.of();
        }
        MemorySegment s = a.segment();
        List<Route.Hop> hops = new ArrayList<>();
        int at = a.offset(Rta.MULTIPATH);
        int end = at + a.length(Rta.MULTIPATH);
        while (at + RtNexthopLayout.SIZE <= end) {
            int length = Wire.u16(s, at + RtNexthopLayout.LENGTH);
            if (length < RtNexthopLayout.SIZE || length > end - at) {
                break;
            }
            Attributes nested = Attributes.parse(s, at + RtNexthopLayout.SIZE, at + length, Rta.MAX);
            hops.add(new Route.Hop(
                    gateway(s, nested, Rta.GATEWAY, Rta.VIA),
                    Wire.i32(s, at + RtNexthopLayout.IFINDEX),
                    Wire.u8(s, at + RtNexthopLayout.HOPS) + 1,
                    Wire.u8(s, at + RtNexthopLayout.FLAGS)));
            at += NlMsgHdrLayout.align(length);
        }
        return hops;
    }

    // ---- nexthop objects -----------------------------------------------------------------------

    /** A nexthop object; bridge FDB nexthops ({@code NHA_FDB}) are skipped. */
    static Nexthop nexthop(NetlinkMessage m) {
        if (!m.hasPayload(NhMsgLayout.SIZE)) {
            return null;
        }
        MemorySegment s = m.segment();
        int h = m.payload();
        Attributes a = m.attributes(NhMsgLayout.SIZE, Nha.MAX);
        int id = a.u32(Nha.ID, 0);
        if (id <= 0 || a.has(Nha.FDB)) {
            return null;
        }
        return new Nexthop(
                id,
                Wire.u8(s, h + NhMsgLayout.FAMILY),
                a.address(Nha.GATEWAY),
                a.u32(Nha.OIF, 0),
                a.has(Nha.BLACKHOLE),
                group(a),
                Wire.u8(s, h + NhMsgLayout.PROTOCOL),
                Wire.i32(s, h + NhMsgLayout.FLAGS));
    }

    private static List<Nexthop.Member> group(Attributes a) {
        if (!a.has(Nha.GROUP)) {
            return List.of();
        }
        MemorySegment s = a.segment();
        int start = a.offset(Nha.GROUP);
        int count = a.length(Nha.GROUP) / NexthopGrpLayout.SIZE;
        List<Nexthop.Member> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = start + i * NexthopGrpLayout.SIZE;
            int weight = (Wire.u8(s, at + NexthopGrpLayout.WEIGHT_HIGH) << 8 | Wire.u8(s, at + NexthopGrpLayout.WEIGHT)) + 1;
            members.add(new Nexthop.Member(Wire.i32(s, at + NexthopGrpLayout.ID), weight));
        }
        return members;
    }

    // ---- neighbours ----------------------------------------------------------------------------

    /** An ARP/NDP entry; FDB ({@code AF_BRIDGE}) entries and entries without a destination are skipped. */
    static Neighbour neighbour(NetlinkMessage m) {
        if (!m.hasPayload(NdMsgLayout.SIZE)) {
            return null;
        }
        MemorySegment s = m.segment();
        int h = m.payload();
        int family = Wire.u8(s, h + NdMsgLayout.FAMILY);
        if (family != AddressFamily.INET && family != AddressFamily.INET6) {
            return null;
        }
        Attributes a = m.attributes(NdMsgLayout.SIZE, Nda.MAX);
        Optional<InetAddress> dst = a.address(Nda.DST);
        if (dst.isEmpty()) {
            return null;
        }
        return new Neighbour(
                Wire.i32(s, h + NdMsgLayout.IFINDEX),
                family,
                dst.get(),
                a.mac(Nda.LLADDR),
                Wire.u16(s, h + NdMsgLayout.STATE),
                Wire.u8(s, h + NdMsgLayout.FLAGS),
                Wire.u8(s, h + NdMsgLayout.TYPE));
    }
}
