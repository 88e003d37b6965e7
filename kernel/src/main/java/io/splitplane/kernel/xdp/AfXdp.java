package io.splitplane.kernel.xdp;

/**
 * AF_XDP constants from {@code include/uapi/linux/if_xdp.h} and the libc headers they travel with
 * (interfaces.md section 4.1). {@code XdpLayoutTest} compiles a C program against the headers and
 * checks every value here.
 *
 * <p>Struct layouts are not here: each has its own {@code *Layout} class.
 */
public final class AfXdp {
    /** {@code AF_XDP} / {@code PF_XDP} ({@code sys/socket.h}). */
    public static final int AF_XDP = 44;
    /** {@code SOL_XDP}, the socket-option level ({@code sys/socket.h}). */
    public static final int SOL_XDP = 283;
    /** {@code SOCK_RAW}: the only socket type AF_XDP accepts. */
    public static final int SOCK_RAW = 3;
    /** {@code SOCK_CLOEXEC}. */
    public static final int SOCK_CLOEXEC = 0x80000;

    // ---- bind flags (sockaddr_xdp.sxdp_flags) -------------------------------------------------
    public static final int XDP_SHARED_UMEM = 1 << 0;
    public static final int XDP_COPY = 1 << 1;
    public static final int XDP_ZEROCOPY = 1 << 2;
    public static final int XDP_USE_NEED_WAKEUP = 1 << 3;
    /** Multi-buffer (scatter-gather); newer than the Debian header, value from libbpf's copy. */
    public static final int XDP_USE_SG = 1 << 4;

    // ---- UMEM registration flags (xdp_umem_reg.flags) ----------------------------------------
    public static final int XDP_UMEM_UNALIGNED_CHUNK_FLAG = 1 << 0;

    // ---- ring flags word ------------------------------------------------------------------------
    /** Set by the kernel in the FILL and/or TX ring flags when it needs a syscall to make progress. */
    public static final int XDP_RING_NEED_WAKEUP = 1 << 0;

    // ---- socket options at SOL_XDP --------------------------------------------------------------
    public static final int XDP_MMAP_OFFSETS = 1;
    public static final int XDP_RX_RING = 2;
    public static final int XDP_TX_RING = 3;
    public static final int XDP_UMEM_REG = 4;
    public static final int XDP_UMEM_FILL_RING = 5;
    public static final int XDP_UMEM_COMPLETION_RING = 6;
    public static final int XDP_STATISTICS = 7;
    public static final int XDP_OPTIONS = 8;
    /** Copy-mode TX descriptors per {@code sendto} (default 32); newer than the Debian header. */
    public static final int XDP_MAX_TX_SKB_BUDGET = 9;

    /** {@code xdp_options.flags}: the socket runs in zero-copy mode. */
    public static final int XDP_OPTIONS_ZEROCOPY = 1 << 0;

    // ---- mmap page offsets (passed as the mmap offset argument) --------------------------------
    public static final long XDP_PGOFF_RX_RING = 0L;
    public static final long XDP_PGOFF_TX_RING = 0x80000000L;
    public static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    public static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;

    // ---- descriptor options (xdp_desc.options) -------------------------------------------------
    /** Multi-buffer: the packet continues in the next descriptor. */
    public static final int XDP_PKT_CONTD = 1 << 0;

    // ---- libc: mmap, send/recv, poll, SOL_SOCKET busy poll -------------------------------------
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_HUGETLB = 0x40000;
    /** Mandatory on AF_XDP kicks: a blocking send or recv returns EOPNOTSUPP. */
    public static final int MSG_DONTWAIT = 0x40;
    public static final short POLLIN = 0x001;
    public static final short POLLOUT = 0x004;
    public static final short POLLERR = 0x008;
    public static final int SOL_SOCKET = 1;
    public static final int SO_BUSY_POLL = 46;
    public static final int SO_PREFER_BUSY_POLL = 69;
    public static final int SO_BUSY_POLL_BUDGET = 70;

    private AfXdp() {
    }

    /** Bind flags as text, e.g. {@code "COPY|NEED_WAKEUP"}, for error messages. */
    public static String bindFlagsToString(int flags) {
        StringBuilder b = new StringBuilder();
        appendFlag(b, flags, XDP_SHARED_UMEM, "SHARED_UMEM");
        appendFlag(b, flags, XDP_COPY, "COPY");
        appendFlag(b, flags, XDP_ZEROCOPY, "ZEROCOPY");
        appendFlag(b, flags, XDP_USE_NEED_WAKEUP, "NEED_WAKEUP");
        appendFlag(b, flags, XDP_USE_SG, "USE_SG");
        int unknown = flags & ~(XDP_SHARED_UMEM | XDP_COPY | XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP | XDP_USE_SG);
        if (unknown != 0) {
            appendFlag(b, unknown, unknown, "0x" + Integer.toHexString(unknown));
        }
        return b.isEmpty() ? "0" : b.toString();
    }

    private static void appendFlag(StringBuilder b, int flags, int bit, String name) {
        if ((flags & bit) != 0) {
            if (!b.isEmpty()) {
                b.append('|');
            }
            b.append(name);
        }
    }
}
