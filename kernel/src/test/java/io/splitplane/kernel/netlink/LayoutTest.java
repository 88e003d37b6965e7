package io.splitplane.kernel.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.splitplane.kernel.testing.CHeaderProbe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks every struct size, field offset and constant this package hard-codes against the C
 * headers, by compiling a program that prints the C side's values.
 */
class LayoutTest {
    private static final String HEADERS = """
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/socket.h>
            #include <linux/if.h>
            #include <net/if_arp.h>
            #include <linux/netlink.h>
            #include <linux/rtnetlink.h>
            #include <linux/if_link.h>
            #include <linux/if_addr.h>
            #include <linux/neighbour.h>
            #include <linux/nexthop.h>
            #include <linux/veth.h>
            #include <linux/genetlink.h>
            """;

    @Test
    void javaLayoutsAndConstantsMatchTheCHeaders() {
        Map<String, Long> expected = expectations();
        Map<String, Long> actual = CHeaderProbe.evaluate(HEADERS, expected.keySet());

        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            if (!e.getValue().equals(actual.get(e.getKey()))) {
                mismatches.add(e.getKey() + ": C=" + actual.get(e.getKey()) + ", Java=" + e.getValue());
            }
        }
        assertEquals(List.of(), mismatches);
    }

    private static Map<String, Long> expectations() {
        Map<String, Long> m = new LinkedHashMap<>();
        struct(m, "nlmsghdr", NlMsgHdrLayout.SIZE, Map.of("nlmsg_len", NlMsgHdrLayout.LENGTH,
                "nlmsg_type", NlMsgHdrLayout.TYPE, "nlmsg_flags", NlMsgHdrLayout.FLAGS,
                "nlmsg_seq", NlMsgHdrLayout.SEQ, "nlmsg_pid", NlMsgHdrLayout.PID));
        struct(m, "nlmsgerr", NlMsgErrLayout.SIZE, Map.of("error", NlMsgErrLayout.ERROR, "msg", NlMsgErrLayout.MSG));
        struct(m, "nlattr", NlAttrLayout.SIZE, Map.of("nla_len", NlAttrLayout.LENGTH, "nla_type", NlAttrLayout.TYPE));
        struct(m, "sockaddr_nl", SockaddrNlLayout.SIZE, Map.of("nl_family", SockaddrNlLayout.FAMILY,
                "nl_pid", SockaddrNlLayout.PID, "nl_groups", SockaddrNlLayout.GROUPS));
        struct(m, "ifinfomsg", IfInfoMsgLayout.SIZE, Map.of("ifi_family", IfInfoMsgLayout.FAMILY,
                "ifi_type", IfInfoMsgLayout.TYPE, "ifi_index", IfInfoMsgLayout.INDEX,
                "ifi_flags", IfInfoMsgLayout.FLAGS, "ifi_change", IfInfoMsgLayout.CHANGE));
        struct(m, "ifaddrmsg", IfAddrMsgLayout.SIZE, Map.of("ifa_family", IfAddrMsgLayout.FAMILY,
                "ifa_prefixlen", IfAddrMsgLayout.PREFIX_LENGTH, "ifa_flags", IfAddrMsgLayout.FLAGS,
                "ifa_scope", IfAddrMsgLayout.SCOPE, "ifa_index", IfAddrMsgLayout.INDEX));
        struct(m, "rtmsg", RtMsgLayout.SIZE, Map.of("rtm_family", RtMsgLayout.FAMILY,
                "rtm_dst_len", RtMsgLayout.DST_LENGTH, "rtm_src_len", RtMsgLayout.SRC_LENGTH,
                "rtm_tos", RtMsgLayout.TOS, "rtm_table", RtMsgLayout.TABLE, "rtm_protocol", RtMsgLayout.PROTOCOL,
                "rtm_scope", RtMsgLayout.SCOPE, "rtm_type", RtMsgLayout.TYPE, "rtm_flags", RtMsgLayout.FLAGS));
        struct(m, "ndmsg", NdMsgLayout.SIZE, Map.of("ndm_family", NdMsgLayout.FAMILY,
                "ndm_ifindex", NdMsgLayout.IFINDEX, "ndm_state", NdMsgLayout.STATE,
                "ndm_flags", NdMsgLayout.FLAGS, "ndm_type", NdMsgLayout.TYPE));
        struct(m, "nhmsg", NhMsgLayout.SIZE, Map.of("nh_family", NhMsgLayout.FAMILY,
                "nh_scope", NhMsgLayout.SCOPE, "nh_protocol", NhMsgLayout.PROTOCOL, "nh_flags", NhMsgLayout.FLAGS));
        struct(m, "rtnexthop", RtNexthopLayout.SIZE, Map.of("rtnh_len", RtNexthopLayout.LENGTH,
                "rtnh_flags", RtNexthopLayout.FLAGS, "rtnh_hops", RtNexthopLayout.HOPS,
                "rtnh_ifindex", RtNexthopLayout.IFINDEX));
        struct(m, "nexthop_grp", NexthopGrpLayout.SIZE, Map.of("id", NexthopGrpLayout.ID,
                "weight", NexthopGrpLayout.WEIGHT, "weight_high", NexthopGrpLayout.WEIGHT_HIGH));
        m.put("NLMSG_ALIGNTO", (long) NlMsgHdrLayout.ALIGNMENT);
        m.put("NLA_F_NESTED", (long) NlAttrLayout.F_NESTED);
        m.put("NLA_F_NET_BYTEORDER", (long) NlAttrLayout.F_NET_BYTEORDER);
        m.put("NLA_TYPE_MASK & 0xffff", (long) NlAttrLayout.TYPE_MASK);

        constants(m, new Object[][] {
                {"AF_NETLINK", Netlink.AF_NETLINK}, {"NETLINK_ROUTE", Netlink.NETLINK_ROUTE},
                {"NETLINK_GENERIC", Netlink.NETLINK_GENERIC}, {"GENL_HDRLEN", GenericNetlink.HEADER_SIZE},
                {"offsetof(struct genlmsghdr, cmd)", GenericNetlink.HEADER_CMD},
                {"offsetof(struct genlmsghdr, version)", GenericNetlink.HEADER_VERSION},
                {"GENL_ID_CTRL", GenericNetlink.GENL_ID_CTRL}, {"CTRL_CMD_GETFAMILY", GenericNetlink.CTRL_CMD_GETFAMILY},
                {"CTRL_ATTR_FAMILY_ID", GenericNetlink.CTRL_ATTR_FAMILY_ID},
                {"CTRL_ATTR_FAMILY_NAME", GenericNetlink.CTRL_ATTR_FAMILY_NAME},
                {"SOCK_RAW", Netlink.SOCK_RAW}, {"SOCK_CLOEXEC", Netlink.SOCK_CLOEXEC},
                {"SOL_SOCKET", Netlink.SOL_SOCKET}, {"SO_RCVBUF", Netlink.SO_RCVBUF},
                {"SO_RCVTIMEO", Netlink.SO_RCVTIMEO}, {"SO_RCVBUFFORCE", Netlink.SO_RCVBUFFORCE},
                {"SOL_NETLINK", Netlink.SOL_NETLINK}, {"NETLINK_ADD_MEMBERSHIP", Netlink.NETLINK_ADD_MEMBERSHIP},
                {"NETLINK_DROP_MEMBERSHIP", Netlink.NETLINK_DROP_MEMBERSHIP},
                {"NETLINK_CAP_ACK", Netlink.NETLINK_CAP_ACK}, {"NETLINK_EXT_ACK", Netlink.NETLINK_EXT_ACK},
                {"NETLINK_GET_STRICT_CHK", Netlink.NETLINK_GET_STRICT_CHK},
                {"MSG_PEEK", Netlink.MSG_PEEK}, {"MSG_TRUNC", Netlink.MSG_TRUNC}, {"MSG_DONTWAIT", Netlink.MSG_DONTWAIT},
                {"NLMSG_NOOP", Netlink.NLMSG_NOOP}, {"NLMSG_ERROR", Netlink.NLMSG_ERROR},
                {"NLMSG_DONE", Netlink.NLMSG_DONE}, {"NLMSG_OVERRUN", Netlink.NLMSG_OVERRUN},
                {"NLM_F_REQUEST", Netlink.NLM_F_REQUEST}, {"NLM_F_MULTI", Netlink.NLM_F_MULTI},
                {"NLM_F_ACK", Netlink.NLM_F_ACK}, {"NLM_F_DUMP_INTR", Netlink.NLM_F_DUMP_INTR},
                {"NLM_F_DUMP_FILTERED", Netlink.NLM_F_DUMP_FILTERED}, {"NLM_F_DUMP", Netlink.NLM_F_DUMP},
                {"NLM_F_REPLACE", Netlink.NLM_F_REPLACE}, {"NLM_F_EXCL", Netlink.NLM_F_EXCL},
                {"NLM_F_CREATE", Netlink.NLM_F_CREATE}, {"NLM_F_CAPPED", Netlink.NLM_F_CAPPED},
                {"NLM_F_ACK_TLVS", Netlink.NLM_F_ACK_TLVS}, {"NLMSGERR_ATTR_MSG", Netlink.NLMSGERR_ATTR_MSG},
                {"NLMSGERR_ATTR_OFFS", Netlink.NLMSGERR_ATTR_OFFS},

                {"RTM_NEWLINK", Rtm.NEWLINK}, {"RTM_DELLINK", Rtm.DELLINK}, {"RTM_GETLINK", Rtm.GETLINK},
                {"RTM_SETLINK", Rtm.SETLINK}, {"RTM_NEWADDR", Rtm.NEWADDR}, {"RTM_DELADDR", Rtm.DELADDR},
                {"RTM_GETADDR", Rtm.GETADDR}, {"RTM_NEWROUTE", Rtm.NEWROUTE}, {"RTM_DELROUTE", Rtm.DELROUTE},
                {"RTM_GETROUTE", Rtm.GETROUTE}, {"RTM_NEWNEIGH", Rtm.NEWNEIGH}, {"RTM_DELNEIGH", Rtm.DELNEIGH},
                {"RTM_GETNEIGH", Rtm.GETNEIGH}, {"RTM_NEWNEXTHOP", Rtm.NEWNEXTHOP},
                {"RTM_DELNEXTHOP", Rtm.DELNEXTHOP}, {"RTM_GETNEXTHOP", Rtm.GETNEXTHOP},

                {"IFLA_ADDRESS", Ifla.ADDRESS}, {"IFLA_IFNAME", Ifla.IFNAME}, {"IFLA_MTU", Ifla.MTU},
                {"IFLA_LINK", Ifla.LINK}, {"IFLA_MASTER", Ifla.MASTER}, {"IFLA_OPERSTATE", Ifla.OPERSTATE},
                {"IFLA_LINKINFO", Ifla.LINKINFO}, {"IFLA_IFALIAS", Ifla.IFALIAS}, {"IFLA_NET_NS_FD", Ifla.NET_NS_FD},
                {"IFLA_EXT_MASK", Ifla.EXT_MASK}, {"IFLA_NUM_TX_QUEUES", Ifla.NUM_TX_QUEUES},
                {"IFLA_NUM_RX_QUEUES", Ifla.NUM_RX_QUEUES}, {"IFLA_CARRIER", Ifla.CARRIER},
                {"IFLA_LINK_NETNSID", Ifla.LINK_NETNSID}, {"IFLA_XDP", Ifla.XDP}, {"IFLA_PROP_LIST", Ifla.PROP_LIST},
                {"IFLA_ALT_IFNAME", Ifla.ALT_IFNAME}, {"IFLA_PERM_ADDRESS", Ifla.PERM_ADDRESS},
                {"IFLA_PARENT_DEV_NAME", Ifla.PARENT_DEV_NAME}, {"IFLA_PARENT_DEV_BUS_NAME", Ifla.PARENT_DEV_BUS_NAME},
                {"IFLA_INFO_KIND", Ifla.INFO_KIND}, {"IFLA_INFO_DATA", Ifla.INFO_DATA},
                {"IFLA_INFO_SLAVE_KIND", Ifla.INFO_SLAVE_KIND}, {"VETH_INFO_PEER", Ifla.VETH_INFO_PEER},
                {"IFLA_XDP_ATTACHED", Ifla.XDP_ATTACHED}, {"IFLA_XDP_PROG_ID", Ifla.XDP_PROG_ID},
                {"IFLA_XDP_DRV_PROG_ID", Ifla.XDP_DRV_PROG_ID}, {"IFLA_XDP_SKB_PROG_ID", Ifla.XDP_SKB_PROG_ID},
                {"IFLA_XDP_HW_PROG_ID", Ifla.XDP_HW_PROG_ID}, {"RTEXT_FILTER_SKIP_STATS", Ifla.RTEXT_FILTER_SKIP_STATS},
                {"XDP_ATTACHED_NONE", XdpAttachMode.NONE.ordinal()}, {"XDP_ATTACHED_DRV", XdpAttachMode.DRV.ordinal()},
                {"XDP_ATTACHED_SKB", XdpAttachMode.SKB.ordinal()}, {"XDP_ATTACHED_HW", XdpAttachMode.HW.ordinal()},
                {"XDP_ATTACHED_MULTI", XdpAttachMode.MULTI.ordinal()},

                {"IFA_ADDRESS", Ifa.ADDRESS}, {"IFA_LOCAL", Ifa.LOCAL}, {"IFA_LABEL", Ifa.LABEL}, {"IFA_FLAGS", Ifa.FLAGS},
                {"IFA_F_SECONDARY", Address.IFA_F_SECONDARY}, {"IFA_F_NODAD", Address.IFA_F_NODAD},
                {"IFA_F_DADFAILED", Address.IFA_F_DADFAILED}, {"IFA_F_TENTATIVE", Address.IFA_F_TENTATIVE},
                {"IFA_F_PERMANENT", Address.IFA_F_PERMANENT}, {"IFA_F_NOPREFIXROUTE", Address.IFA_F_NOPREFIXROUTE},

                {"RTA_DST", Rta.DST}, {"RTA_OIF", Rta.OIF}, {"RTA_GATEWAY", Rta.GATEWAY}, {"RTA_PRIORITY", Rta.PRIORITY},
                {"RTA_PREFSRC", Rta.PREFSRC}, {"RTA_MULTIPATH", Rta.MULTIPATH}, {"RTA_TABLE", Rta.TABLE},
                {"RTA_VIA", Rta.VIA}, {"RTA_NH_ID", Rta.NH_ID}, {"RTM_F_CLONED", Rta.RTM_F_CLONED},
                {"RT_TABLE_UNSPEC", Route.TABLE_UNSPEC}, {"RT_TABLE_DEFAULT", Route.TABLE_DEFAULT},
                {"RT_TABLE_MAIN", Route.TABLE_MAIN}, {"RT_TABLE_LOCAL", Route.TABLE_LOCAL},
                {"RT_SCOPE_UNIVERSE", Route.SCOPE_UNIVERSE}, {"RT_SCOPE_SITE", Route.SCOPE_SITE},
                {"RT_SCOPE_LINK", Route.SCOPE_LINK}, {"RT_SCOPE_HOST", Route.SCOPE_HOST},
                {"RT_SCOPE_NOWHERE", Route.SCOPE_NOWHERE},
                {"RTPROT_UNSPEC", Route.PROTOCOL_UNSPEC}, {"RTPROT_REDIRECT", Route.PROTOCOL_REDIRECT},
                {"RTPROT_KERNEL", Route.PROTOCOL_KERNEL}, {"RTPROT_BOOT", Route.PROTOCOL_BOOT},
                {"RTPROT_STATIC", Route.PROTOCOL_STATIC}, {"RTPROT_DHCP", Route.PROTOCOL_DHCP},
                {"RTPROT_OSPF", Route.PROTOCOL_OSPF},
                {"RTNH_F_DEAD", Route.RTNH_F_DEAD}, {"RTNH_F_ONLINK", Route.RTNH_F_ONLINK},
                {"RTNH_F_LINKDOWN", Route.RTNH_F_LINKDOWN},
                {"RTN_UNSPEC", RouteType.UNSPEC.code()}, {"RTN_UNICAST", RouteType.UNICAST.code()},
                {"RTN_LOCAL", RouteType.LOCAL.code()}, {"RTN_BROADCAST", RouteType.BROADCAST.code()},
                {"RTN_ANYCAST", RouteType.ANYCAST.code()}, {"RTN_MULTICAST", RouteType.MULTICAST.code()},
                {"RTN_BLACKHOLE", RouteType.BLACKHOLE.code()}, {"RTN_UNREACHABLE", RouteType.UNREACHABLE.code()},
                {"RTN_PROHIBIT", RouteType.PROHIBIT.code()}, {"RTN_THROW", RouteType.THROW.code()},
                {"RTN_NAT", RouteType.NAT.code()}, {"RTN_XRESOLVE", RouteType.XRESOLVE.code()},

                {"NDA_DST", Nda.DST}, {"NDA_LLADDR", Nda.LLADDR},
                {"NUD_INCOMPLETE", Neighbour.NUD_INCOMPLETE}, {"NUD_REACHABLE", Neighbour.NUD_REACHABLE},
                {"NUD_STALE", Neighbour.NUD_STALE}, {"NUD_DELAY", Neighbour.NUD_DELAY},
                {"NUD_PROBE", Neighbour.NUD_PROBE}, {"NUD_FAILED", Neighbour.NUD_FAILED},
                {"NUD_NOARP", Neighbour.NUD_NOARP}, {"NUD_PERMANENT", Neighbour.NUD_PERMANENT},
                {"NUD_NONE", Neighbour.NUD_NONE},
                {"NTF_USE", Neighbour.NTF_USE}, {"NTF_SELF", Neighbour.NTF_SELF}, {"NTF_MASTER", Neighbour.NTF_MASTER},
                {"NTF_PROXY", Neighbour.NTF_PROXY}, {"NTF_EXT_LEARNED", Neighbour.NTF_EXT_LEARNED},
                {"NTF_ROUTER", Neighbour.NTF_ROUTER},

                {"NHA_ID", Nha.ID}, {"NHA_GROUP", Nha.GROUP}, {"NHA_GROUP_TYPE", Nha.GROUP_TYPE},
                {"NHA_BLACKHOLE", Nha.BLACKHOLE}, {"NHA_OIF", Nha.OIF}, {"NHA_GATEWAY", Nha.GATEWAY},
                {"NHA_FDB", Nha.FDB}, {"NEXTHOP_GRP_TYPE_MPATH", Nha.GROUP_TYPE_MPATH},

                {"IFF_UP", Link.IFF_UP}, {"IFF_BROADCAST", Link.IFF_BROADCAST}, {"IFF_LOOPBACK", Link.IFF_LOOPBACK},
                {"IFF_POINTOPOINT", Link.IFF_POINTOPOINT}, {"IFF_RUNNING", Link.IFF_RUNNING},
                {"IFF_NOARP", Link.IFF_NOARP}, {"IFF_PROMISC", Link.IFF_PROMISC},
                {"IFF_MULTICAST", Link.IFF_MULTICAST}, {"IFF_LOWER_UP", Link.IFF_LOWER_UP},
                {"ARPHRD_ETHER", Link.ARPHRD_ETHER}, {"ARPHRD_LOOPBACK", Link.ARPHRD_LOOPBACK},
                {"ARPHRD_NONE", Link.ARPHRD_NONE}, {"IFNAMSIZ - 1", InterfaceName.MAX_LENGTH},

                {"IF_OPER_UNKNOWN", OperState.UNKNOWN.ordinal()}, {"IF_OPER_NOTPRESENT", OperState.NOTPRESENT.ordinal()},
                {"IF_OPER_DOWN", OperState.DOWN.ordinal()}, {"IF_OPER_LOWERLAYERDOWN", OperState.LOWERLAYERDOWN.ordinal()},
                {"IF_OPER_TESTING", OperState.TESTING.ordinal()}, {"IF_OPER_DORMANT", OperState.DORMANT.ordinal()},
                {"IF_OPER_UP", OperState.UP.ordinal()},
                {"AF_UNSPEC", AddressFamily.UNSPEC}, {"AF_INET", AddressFamily.INET}, {"AF_INET6", AddressFamily.INET6},
                {"RTNLGRP_LINK", RtnetlinkGroup.LINK.number()}, {"RTNLGRP_NEIGH", RtnetlinkGroup.NEIGH.number()},
                {"RTNLGRP_IPV4_IFADDR", RtnetlinkGroup.IPV4_IFADDR.number()},
                {"RTNLGRP_IPV4_ROUTE", RtnetlinkGroup.IPV4_ROUTE.number()},
                {"RTNLGRP_IPV6_IFADDR", RtnetlinkGroup.IPV6_IFADDR.number()},
                {"RTNLGRP_IPV6_ROUTE", RtnetlinkGroup.IPV6_ROUTE.number()},
                {"RTNLGRP_NEXTHOP", RtnetlinkGroup.NEXTHOP.number()},
        });
        return m;
    }

    private static void struct(Map<String, Long> m, String name, int size, Map<String, Integer> offsets) {
        m.put("sizeof(struct " + name + ")", (long) size);
        offsets.forEach((field, offset) -> m.put("offsetof(struct " + name + ", " + field + ")", (long) offset));
    }

    private static void constants(Map<String, Long> m, Object[][] pairs) {
        for (Object[] pair : pairs) {
            m.put((String) pair[0], ((Number) pair[1]).longValue());
        }
    }
}
