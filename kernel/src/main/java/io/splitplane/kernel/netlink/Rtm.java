package io.splitplane.kernel.netlink;

/** rtnetlink message types ({@code RTM_*} in {@code linux/rtnetlink.h}) and their names for errors. */
final class Rtm {
    static final int NEWLINK = 16;
    static final int DELLINK = 17;
    static final int GETLINK = 18;
    static final int SETLINK = 19;
    static final int NEWADDR = 20;
    static final int DELADDR = 21;
    static final int GETADDR = 22;
    static final int NEWROUTE = 24;
    static final int DELROUTE = 25;
    static final int GETROUTE = 26;
    static final int NEWNEIGH = 28;
    static final int DELNEIGH = 29;
    static final int GETNEIGH = 30;
    static final int NEWNEXTHOP = 104;
    static final int DELNEXTHOP = 105;
    static final int GETNEXTHOP = 106;

    private Rtm() {
    }

    /** {@code "RTM_NEWROUTE"} and so on; exceptions name the request this way. */
    static String name(int type) {
        return switch (type) {
            case NEWLINK -> "RTM_NEWLINK";
            case DELLINK -> "RTM_DELLINK";
            case GETLINK -> "RTM_GETLINK";
            case SETLINK -> "RTM_SETLINK";
            case NEWADDR -> "RTM_NEWADDR";
            case DELADDR -> "RTM_DELADDR";
            case GETADDR -> "RTM_GETADDR";
            case NEWROUTE -> "RTM_NEWROUTE";
            case DELROUTE -> "RTM_DELROUTE";
            case GETROUTE -> "RTM_GETROUTE";
            case NEWNEIGH -> "RTM_NEWNEIGH";
            case DELNEIGH -> "RTM_DELNEIGH";
            case GETNEIGH -> "RTM_GETNEIGH";
            case NEWNEXTHOP -> "RTM_NEWNEXTHOP";
            case DELNEXTHOP -> "RTM_DELNEXTHOP";
            case GETNEXTHOP -> "RTM_GETNEXTHOP";
            default -> "netlink message type " + type;
        };
    }
}
