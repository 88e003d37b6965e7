package io.splitplane.kernel.netlink;

/** How an XDP program is attached to a link ({@code IFLA_XDP_ATTACHED}, {@code XDP_ATTACHED_*}). */
public enum XdpAttachMode {
    /** No program. */
    NONE,
    /** Native (driver) mode. */
    DRV,
    /** Generic mode (in the stack, after the skb is built). */
    SKB,
    /** Offloaded to the NIC. */
    HW,
    /** More than one mode at once; see the per-mode program ids. */
    MULTI;

    static XdpAttachMode of(int value) {
        XdpAttachMode[] all = values();
        return value >= 0 && value < all.length ? all[value] : NONE;
    }
}
