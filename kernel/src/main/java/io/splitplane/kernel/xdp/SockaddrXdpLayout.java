package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sockaddr_xdp}, the address an AF_XDP socket binds to ({@code linux/if_xdp.h}).
 *
 * <pre>
 *  0               2               4                               8
 * +---------------+---------------+-------------------------------+
 * | sxdp_family   | sxdp_flags    | sxdp_ifindex                  |
 * | u16 (=44)     | u16           | u32                           |
 * +---------------+---------------+-------------------------------+
 * | sxdp_queue_id u32             | sxdp_shared_umem_fd u32       |
 * +-------------------------------+-------------------------------+
 *  8                              12                              16
 * </pre>
 *
 * Native byte order (little-endian on x86_64) for every field.
 */
public final class SockaddrXdpLayout {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sxdp_family"),
            JAVA_SHORT.withName("sxdp_flags"),
            JAVA_INT.withName("sxdp_ifindex"),
            JAVA_INT.withName("sxdp_queue_id"),
            JAVA_INT.withName("sxdp_shared_umem_fd")).withName("sockaddr_xdp");

    public static final long FAMILY_OFFSET = offsetOf("sxdp_family");
    public static final long FLAGS_OFFSET = offsetOf("sxdp_flags");
    public static final long IFINDEX_OFFSET = offsetOf("sxdp_ifindex");
    public static final long QUEUE_ID_OFFSET = offsetOf("sxdp_queue_id");
    public static final long SHARED_UMEM_FD_OFFSET = offsetOf("sxdp_shared_umem_fd");
    public static final long SIZE = LAYOUT.byteSize();

    private SockaddrXdpLayout() {
    }

    private static long offsetOf(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** Writes a whole address into {@code s} (at least {@link #SIZE} bytes). */
    public static void write(MemorySegment s, int flags, int ifindex, int queueId, int sharedUmemFd) {
        s.set(JAVA_SHORT, FAMILY_OFFSET, (short) AfXdp.AF_XDP);
        s.set(JAVA_SHORT, FLAGS_OFFSET, (short) flags);
        s.set(JAVA_INT, IFINDEX_OFFSET, ifindex);
        s.set(JAVA_INT, QUEUE_ID_OFFSET, queueId);
        s.set(JAVA_INT, SHARED_UMEM_FD_OFFSET, sharedUmemFd);
    }
}
