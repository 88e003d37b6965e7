package io.splitplane.kernel.bpf;

/** How an XDP program is attached to an interface. */
public enum XdpMode {
    /** In the driver (XDP_FLAGS_DRV_MODE): fast, needs driver support (veth, most physical NICs). */
    NATIVE(4),
    /** In the generic network stack (XDP_FLAGS_SKB_MODE): works on every interface, after the skb is built. */
    GENERIC(2),
    /**
     * Native if the driver supports it, else generic. {@link XdpAttachment#mode()} then tells which one
     * took; it is never this value.
     */
    NATIVE_OR_GENERIC(0);

    private final int flag;

    XdpMode(int flag) {
        this.flag = flag;
    }

    /** The XDP_FLAGS_* mode bit for bpf_xdp_attach (linux/if_link.h); 0 for {@link #NATIVE_OR_GENERIC}. */
    int flag() {
        return flag;
    }
}
