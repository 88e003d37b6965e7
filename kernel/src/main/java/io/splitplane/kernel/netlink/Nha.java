package io.splitplane.kernel.netlink;

/** Nexthop-object attributes ({@code NHA_*} in {@code linux/nexthop.h}). */
final class Nha {
    static final int ID = 1;
    static final int GROUP = 2;
    static final int GROUP_TYPE = 3;
    static final int BLACKHOLE = 4;
    static final int OIF = 5;
    static final int GATEWAY = 6;
    static final int FDB = 11;
    static final int MAX = 20;

    static final int GROUP_TYPE_MPATH = 0;

    private Nha() {
    }
}
