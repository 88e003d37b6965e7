package io.splitplane.kernel.netlink;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A network interface as rtnetlink reports it ({@code ifinfomsg} + {@code IFLA_*}).
 *
 * @param index            ifindex, unique within the link's namespace
 * @param name             {@code IFLA_IFNAME}
 * @param type             hardware type, {@code ARPHRD_*} (e.g. {@link #ARPHRD_ETHER})
 * @param flags            {@code IFF_*} bits (e.g. {@link #IFF_UP})
 * @param mtu              {@code IFLA_MTU}
 * @param mac              {@code IFLA_ADDRESS} when it is a 6-byte Ethernet address; empty for links
 *                         without one (tunnels, some virtual devices)
 * @param operState        {@code IFLA_OPERSTATE}
 * @param kind             {@code IFLA_INFO_KIND} for virtual links ({@code "veth"}, {@code "dummy"},
 *                         {@code "bridge"}, ...); empty for physical NICs and loopback
 * @param master           ifindex of the master (bridge, bond, VRF), 0 if none
 * @param link             {@code IFLA_LINK}: the lower or peer device (a veth's peer), 0 if none. It
 *                         may index another namespace, see {@code linkNetnsId}
 * @param linkNetnsId      {@code IFLA_LINK_NETNSID}: the namespace {@code link} lives in, as an id
 *                         local to this namespace; empty when it is this namespace
 * @param numRxQueues      {@code IFLA_NUM_RX_QUEUES}
 * @param numTxQueues      {@code IFLA_NUM_TX_QUEUES}
 * @param carrier          {@code IFLA_CARRIER}
 * @param xdp              the attached XDP programs ({@code IFLA_XDP})
 * @param parentDeviceName {@code IFLA_PARENT_DEV_NAME}: for a physical NIC, its bus address, e.g. the
 *                         PCI address {@code 0000:03:00.0}
 * @param parentBusName    {@code IFLA_PARENT_DEV_BUS_NAME}, e.g. {@code pci}
 * @param altNames         {@code IFLA_ALT_IFNAME} entries of {@code IFLA_PROP_LIST}
 * @param alias            {@code IFLA_IFALIAS}
 * @param permanentMac     {@code IFLA_PERM_ADDRESS}: the factory MAC of a physical NIC
 */
public record Link(int index, String name, int type, int flags, int mtu, Optional<MacAddress> mac,
                   OperState operState, Optional<String> kind, int master, int link, OptionalInt linkNetnsId,
                   int numRxQueues, int numTxQueues, boolean carrier, XdpState xdp,
                   Optional<String> parentDeviceName, Optional<String> parentBusName, List<String> altNames,
                   Optional<String> alias, Optional<MacAddress> permanentMac) {

    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    public static final int ARPHRD_ETHER = 1;
    public static final int ARPHRD_LOOPBACK = 772;
    public static final int ARPHRD_NONE = 0xfffe;

    public Link {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(operState, "operState");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(linkNetnsId, "linkNetnsId");
        Objects.requireNonNull(xdp, "xdp");
        Objects.requireNonNull(parentDeviceName, "parentDeviceName");
        Objects.requireNonNull(parentBusName, "parentBusName");
        altNames = List.copyOf(altNames);
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(permanentMac, "permanentMac");
    }

    /** Administratively up ({@code IFF_UP}). */
    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** Up and with a carrier ({@code IFF_RUNNING}): able to pass traffic. */
    public boolean isRunning() {
        return (flags & IFF_RUNNING) != 0;
    }

    public boolean isLoopback() {
        return (flags & IFF_LOOPBACK) != 0;
    }
}
