package io.splitplane.kernel.netlink;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;

/**
 * Builds rtnetlink requests into a {@link MessageWriter}. Only encoding lives here: validation of
 * caller input happens in {@link RtnetlinkSocket} before any of this runs, and sending in
 * {@link RequestExchange}.
 *
 * <p>Dump requests send the full family header with every field zero except the family (and the
 * table filter for routes), which is what the kernel's strict checking
 * ({@code NETLINK_GET_STRICT_CHK}) accepts.
 */
final class RtnetlinkEncoder {
    private RtnetlinkEncoder() {
    }

    // ---- dumps and gets ------------------------------------------------------------------------

    static void linkDump(MessageWriter w) {
        w.begin(Rtm.GETLINK, Netlink.NLM_F_DUMP);
        w.reserve(IfInfoMsgLayout.SIZE);
        w.attributeU32(Ifla.EXT_MASK, Ifla.RTEXT_FILTER_SKIP_STATS);
    }

    static void linkGet(MessageWriter w, int ifindex) {
        w.begin(Rtm.GETLINK, 0);
        int h = w.reserve(IfInfoMsgLayout.SIZE);
        w.putI32(h + IfInfoMsgLayout.INDEX, ifindex);
        w.attributeU32(Ifla.EXT_MASK, Ifla.RTEXT_FILTER_SKIP_STATS);
    }

    static void linkGet(MessageWriter w, String name) {
        w.begin(Rtm.GETLINK, 0);
        w.reserve(IfInfoMsgLayout.SIZE);
        w.attributeString(Ifla.IFNAME, name);
        w.attributeU32(Ifla.EXT_MASK, Ifla.RTEXT_FILTER_SKIP_STATS);
    }

    static void addressDump(MessageWriter w, int family) {
        w.begin(Rtm.GETADDR, Netlink.NLM_F_DUMP);
        int h = w.reserve(IfAddrMsgLayout.SIZE);
        w.putU8(h + IfAddrMsgLayout.FAMILY, family);
    }

    /** A route dump; {@code table == 0} means every table (the kernel then sends main and local, and any other). */
    static void routeDump(MessageWriter w, int family, int table) {
        w.begin(Rtm.GETROUTE, Netlink.NLM_F_DUMP);
        int h = w.reserve(RtMsgLayout.SIZE);
        w.putU8(h + RtMsgLayout.FAMILY, family);
        if (table != Route.TABLE_UNSPEC) {
            w.attributeU32(Rta.TABLE, table);
        }
    }

    static void nexthopDump(MessageWriter w) {
        w.begin(Rtm.GETNEXTHOP, Netlink.NLM_F_DUMP);
        w.reserve(NhMsgLayout.SIZE);
    }

    static void neighbourDump(MessageWriter w, int family) {
        w.begin(Rtm.GETNEIGH, Netlink.NLM_F_DUMP);
        int h = w.reserve(NdMsgLayout.SIZE);
        w.putU8(h + NdMsgLayout.FAMILY, family);
    }

    // ---- links ---------------------------------------------------------------------------------

    /**
     * RTM_NEWLINK creating a veth pair. The peer is described by an {@code ifinfomsg} plus
     * attributes nested in {@code IFLA_INFO_DATA/VETH_INFO_PEER}; a peer namespace fd puts the
     * peer straight into that namespace, so it never appears in this one.
     */
    static void veth(MessageWriter w, String name, String peerName, int peerNamespaceFd) {
        w.begin(Rtm.NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL);
        w.reserve(IfInfoMsgLayout.SIZE);
        w.attributeString(Ifla.IFNAME, name);
        int linkInfo = w.beginNested(Ifla.LINKINFO);
        w.attributeString(Ifla.INFO_KIND, "veth");
        int data = w.beginNested(Ifla.INFO_DATA);
        int peer = w.beginNested(Ifla.VETH_INFO_PEER);
        w.reserve(IfInfoMsgLayout.SIZE);
        w.attributeString(Ifla.IFNAME, peerName);
        if (peerNamespaceFd >= 0) {
            w.attributeU32(Ifla.NET_NS_FD, peerNamespaceFd);
        }
        w.endNested(peer);
        w.endNested(data);
        w.endNested(linkInfo);
    }

    static void deleteLink(MessageWriter w, int ifindex) {
        w.begin(Rtm.DELLINK, 0);
        int h = w.reserve(IfInfoMsgLayout.SIZE);
        w.putI32(h + IfInfoMsgLayout.INDEX, ifindex);
    }

    /** RTM_SETLINK on {@code ifindex}; the caller appends the attributes to change. */
    static void setLink(MessageWriter w, int ifindex) {
        w.begin(Rtm.SETLINK, 0);
        int h = w.reserve(IfInfoMsgLayout.SIZE);
        w.putI32(h + IfInfoMsgLayout.INDEX, ifindex);
    }

    /** RTM_SETLINK changing only {@code IFF_UP} ({@code ifi_change} masks the other flags out). */
    static void setUp(MessageWriter w, int ifindex, boolean up) {
        w.begin(Rtm.SETLINK, 0);
        int h = w.reserve(IfInfoMsgLayout.SIZE);
        w.putI32(h + IfInfoMsgLayout.INDEX, ifindex);
        w.putI32(h + IfInfoMsgLayout.FLAGS, up ? Link.IFF_UP : 0);
        w.putI32(h + IfInfoMsgLayout.CHANGE, Link.IFF_UP);
    }

    // ---- addresses -----------------------------------------------------------------------------

    /** RTM_NEWADDR or RTM_DELADDR. IFA_LOCAL and IFA_ADDRESS are both the address, as for any non-peer address. */
    static void address(MessageWriter w, int type, int flags, int ifindex, InetAddress address, int prefixLength) {
        w.begin(type, flags);
        int h = w.reserve(IfAddrMsgLayout.SIZE);
        w.putU8(h + IfAddrMsgLayout.FAMILY, AddressFamily.of(address));
        w.putU8(h + IfAddrMsgLayout.PREFIX_LENGTH, prefixLength);
        w.putI32(h + IfAddrMsgLayout.INDEX, ifindex);
        w.attributeAddress(Ifa.LOCAL, address);
        w.attributeAddress(Ifa.ADDRESS, address);
    }

    // ---- neighbours ----------------------------------------------------------------------------

    /** RTM_NEWNEIGH (with {@code lladdr} and state) or RTM_DELNEIGH (key only). */
    static void neighbour(MessageWriter w, int type, int flags, int ifindex, InetAddress address, byte[] lladdr,
                          int state) {
        w.begin(type, flags);
        int h = w.reserve(NdMsgLayout.SIZE);
        w.putU8(h + NdMsgLayout.FAMILY, AddressFamily.of(address));
        w.putI32(h + NdMsgLayout.IFINDEX, ifindex);
        w.putU16(h + NdMsgLayout.STATE, state);
        w.attributeAddress(Nda.DST, address);
        if (lladdr != null) {
            w.attributeBytes(Nda.LLADDR, lladdr);
        }
    }

    // ---- routes --------------------------------------------------------------------------------

    /**
     * RTM_NEWROUTE (add/replace) or RTM_DELROUTE. A removal, like {@code ip route del}, leaves
     * protocol unset and asks for scope NOWHERE, which the kernel reads as "any": the route is then
     * found by its key and by whichever path attributes are given, whoever installed it.
     */
    static void route(MessageWriter w, int type, int flags, Route r) {
        boolean removal = type == Rtm.DELROUTE;
        w.begin(type, flags);
        int h = w.reserve(RtMsgLayout.SIZE);
        w.putU8(h + RtMsgLayout.FAMILY, r.family());
        w.putU8(h + RtMsgLayout.DST_LENGTH, r.dstLength());
        w.putU8(h + RtMsgLayout.TOS, r.tos());
        // rtm_table holds 8 bits; larger ids go in RTA_TABLE only, with RT_TABLE_UNSPEC here.
        w.putU8(h + RtMsgLayout.TABLE, Integer.compareUnsigned(r.table(), Route.TABLE_LOCAL) <= 0 ? r.table() : 0);
        w.putU8(h + RtMsgLayout.PROTOCOL, removal ? Route.PROTOCOL_UNSPEC : r.protocol());
        w.putU8(h + RtMsgLayout.SCOPE, removal ? Route.SCOPE_NOWHERE : r.scope());
        w.putU8(h + RtMsgLayout.TYPE, r.type().code());
        w.attributeU32(Rta.TABLE, r.table());
        if (r.dstLength() > 0) {
            w.attributeAddress(Rta.DST, r.dst());
        }
        if (r.priority() != 0) {
            w.attributeU32(Rta.PRIORITY, r.priority());
        }
        if (r.nexthopId() != 0) {
            // The object carries the path; the kernel rejects a route that names both.
            w.attributeU32(Rta.NH_ID, r.nexthopId());
        } else if (!r.multipath().isEmpty()) {
            multipath(w, r);
        } else {
            r.gateway().ifPresent(gateway -> gateway(w, r.family(), gateway));
            if (r.oif() != 0) {
                w.attributeU32(Rta.OIF, r.oif());
            }
        }
        r.prefsrc().ifPresent(src -> w.attributeAddress(Rta.PREFSRC, src));
    }

    /** RTA_GATEWAY, or RTA_VIA for a gateway of the other family (IPv4 via IPv6, RFC 5549). */
    private static void gateway(MessageWriter w, int routeFamily, InetAddress gateway) {
        int family = AddressFamily.of(gateway);
        if (family == routeFamily) {
            w.attributeAddress(Rta.GATEWAY, gateway);
            return;
        }
        byte[] address = gateway.getAddress();
        byte[] via = new byte[2 + address.length];
        via[0] = (byte) family; // u16 rtvia_family in host (little-endian) order
        System.arraycopy(address, 0, via, 2, address.length);
        w.attributeBytes(Rta.VIA, via);
    }

    private static void multipath(MessageWriter w, Route r) {
        int multipath = w.beginNested(Rta.MULTIPATH);
        for (Route.Hop hop : r.multipath()) {
            int start = w.reserve(RtNexthopLayout.SIZE);
            w.putU8(start + RtNexthopLayout.FLAGS, hop.flags());
            w.putU8(start + RtNexthopLayout.HOPS, hop.weight() - 1);
            w.putI32(start + RtNexthopLayout.IFINDEX, hop.ifindex());
            hop.gateway().ifPresent(gateway -> gateway(w, r.family(), gateway));
            w.putU16(start + RtNexthopLayout.LENGTH, w.position() - start);
        }
        w.endNested(multipath);
    }

    // ---- nexthop objects -----------------------------------------------------------------------

    static void nexthop(MessageWriter w, int flags, Nexthop n) {
        w.begin(Rtm.NEWNEXTHOP, flags);
        int h = w.reserve(NhMsgLayout.SIZE);
        w.putU8(h + NhMsgLayout.FAMILY, n.family());
        w.putU8(h + NhMsgLayout.PROTOCOL, n.protocol());
        w.putI32(h + NhMsgLayout.FLAGS, n.flags());
        w.attributeU32(Nha.ID, n.id());
        if (n.isGroup()) {
            byte[] group = new byte[n.group().size() * NexthopGrpLayout.SIZE];
            MemorySegment g = MemorySegment.ofArray(group);
            for (int i = 0; i < n.group().size(); i++) {
                Nexthop.Member member = n.group().get(i);
                int at = i * NexthopGrpLayout.SIZE;
                int weight = member.weight() - 1;
                Wire.putI32(g, at + NexthopGrpLayout.ID, member.id());
                Wire.putU8(g, at + NexthopGrpLayout.WEIGHT, weight & 0xff);
                Wire.putU8(g, at + NexthopGrpLayout.WEIGHT_HIGH, weight >>> 8);
            }
            w.attributeBytes(Nha.GROUP, group);
            w.attributeU16(Nha.GROUP_TYPE, Nha.GROUP_TYPE_MPATH);
        } else if (n.blackhole()) {
            w.attributeFlag(Nha.BLACKHOLE);
        } else {
            if (n.ifindex() != 0) {
                w.attributeU32(Nha.OIF, n.ifindex());
            }
            n.gateway().ifPresent(gateway -> w.attributeAddress(Nha.GATEWAY, gateway));
        }
    }

    static void deleteNexthop(MessageWriter w, int id) {
        w.begin(Rtm.DELNEXTHOP, 0);
        w.reserve(NhMsgLayout.SIZE);
        w.attributeU32(Nha.ID, id);
    }
}
