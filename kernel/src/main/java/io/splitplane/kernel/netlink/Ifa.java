package io.splitplane.kernel.netlink;

/** Address attributes ({@code IFA_*} in {@code linux/if_addr.h}). */
final class Ifa {
    static final int ADDRESS = 1;
    static final int LOCAL = 2;
    static final int LABEL = 3;
    static final int FLAGS = 8;
    static final int MAX = 12;

    private Ifa() {
    }
}
