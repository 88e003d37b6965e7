package io.splitplane.kernel.netlink;

/** Link attributes ({@code IFLA_*} in {@code linux/if_link.h}) and the nested sets this package reads. */
final class Ifla {
    static final int ADDRESS = 1;
    static final int IFNAME = 3;
    static final int MTU = 4;
    static final int LINK = 5;
    static final int MASTER = 10;
    static final int OPERSTATE = 16;
    static final int LINKINFO = 18;
    static final int IFALIAS = 20;
    static final int NET_NS_FD = 28;
    static final int EXT_MASK = 29;
    static final int NUM_TX_QUEUES = 31;
    static final int NUM_RX_QUEUES = 32;
    static final int CARRIER = 33;
    static final int LINK_NETNSID = 37;
    static final int XDP = 43;
    static final int PROP_LIST = 52;
    static final int ALT_IFNAME = 53;
    static final int PERM_ADDRESS = 54;
    static final int PARENT_DEV_NAME = 56;
    static final int PARENT_DEV_BUS_NAME = 57;
    /** Highest attribute this package indexes; newer ones are skipped. */
    static final int MAX = 70;

    /** Nested in IFLA_LINKINFO. */
    static final int INFO_KIND = 1;
    static final int INFO_DATA = 2;
    static final int INFO_SLAVE_KIND = 4;
    static final int INFO_MAX = 6;

    /** Nested in IFLA_INFO_DATA of a veth: the peer, an {@code ifinfomsg} followed by IFLA_*. */
    static final int VETH_INFO_PEER = 1;

    /** Nested in IFLA_XDP. */
    static final int XDP_ATTACHED = 2;
    static final int XDP_PROG_ID = 4;
    static final int XDP_DRV_PROG_ID = 5;
    static final int XDP_SKB_PROG_ID = 6;
    static final int XDP_HW_PROG_ID = 7;
    static final int XDP_MAX = 8;

    /** IFLA_EXT_MASK bit: leave the statistics out, which keeps link replies small. */
    static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

    private Ifla() {
    }
}
