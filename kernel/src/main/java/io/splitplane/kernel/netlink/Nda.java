package io.splitplane.kernel.netlink;

/** Neighbour attributes ({@code NDA_*} in {@code linux/neighbour.h}). */
final class Nda {
    static final int DST = 1;
    static final int LLADDR = 2;
    static final int MAX = 20;

    private Nda() {
    }
}
