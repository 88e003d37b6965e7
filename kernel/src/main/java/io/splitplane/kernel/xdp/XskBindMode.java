package io.splitplane.kernel.xdp;

/** Copy or zero-copy, as asked at bind ({@code sxdp_flags}). */
public enum XskBindMode {
    /** Let the kernel choose: zero-copy if the driver supports it, else copy. */
    AUTO(0),
    /** Force copy mode ({@code XDP_COPY}). */
    COPY(AfXdp.XDP_COPY),
    /** Force zero-copy ({@code XDP_ZEROCOPY}); bind fails if the driver cannot. */
    ZEROCOPY(AfXdp.XDP_ZEROCOPY);

    private final int flag;

    XskBindMode(int flag) {
        this.flag = flag;
    }

    /** The bind flag bit (0 for {@link #AUTO}). */
    public int flag() {
        return flag;
    }
}
