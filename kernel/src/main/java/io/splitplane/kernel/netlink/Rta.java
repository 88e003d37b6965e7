package io.splitplane.kernel.netlink;

/** Route attributes ({@code RTA_*} in {@code linux/rtnetlink.h}). */
final class Rta {
    static final int DST = 1;
    static final int OIF = 4;
    static final int GATEWAY = 5;
    static final int PRIORITY = 6;
    static final int PREFSRC = 7;
    static final int MULTIPATH = 9;
    static final int TABLE = 15;
    static final int VIA = 18;
    static final int NH_ID = 30;
    static final int MAX = 40;

    /** {@code RTM_F_CLONED}: a route-cache entry, never part of a table. */
    static final int RTM_F_CLONED = 0x200;

    private Rta() {
    }
}
