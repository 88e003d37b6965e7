package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct xdp_umem_reg}, the argument of {@code setsockopt(SOL_XDP, XDP_UMEM_REG)}.
 *
 * <pre>
 *  0                                                              8
 * +---------------------------------------------------------------+
 * | addr u64        start of the UMEM (page aligned)              |
 * +---------------------------------------------------------------+
 * | len u64         bytes                                         | 16
 * +-------------------------------+-------------------------------+
 * | chunk_size u32                | headroom u32                  | 24
 * +-------------------------------+-------------------------------+
 * | flags u32                     | tx_metadata_len u32           | 32
 * +-------------------------------+-------------------------------+
 * </pre>
 *
 * Always passed whole (32 bytes) and zeroed first: the kernel reads {@code tx_metadata_len} only
 * with {@code XDP_UMEM_TX_METADATA_LEN} in {@code flags}, and accepts the 24-byte v1 form too.
 */
public final class XdpUmemRegLayout {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_LONG.withName("len"),
            JAVA_INT.withName("chunk_size"),
            JAVA_INT.withName("headroom"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("tx_metadata_len")).withName("xdp_umem_reg");

    public static final long ADDR_OFFSET = offsetOf("addr");
    public static final long LEN_OFFSET = offsetOf("len");
    public static final long CHUNK_SIZE_OFFSET = offsetOf("chunk_size");
    public static final long HEADROOM_OFFSET = offsetOf("headroom");
    public static final long FLAGS_OFFSET = offsetOf("flags");
    public static final long TX_METADATA_LEN_OFFSET = offsetOf("tx_metadata_len");
    public static final long SIZE = LAYOUT.byteSize();
    /** The oldest form the kernel accepts: addr, len, chunk_size, headroom. */
    public static final long SIZE_V1 = 24;

    private XdpUmemRegLayout() {
    }

    private static long offsetOf(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** Zeroes {@code s} and writes a registration. */
    public static void write(MemorySegment s, long addr, long len, int chunkSize, int headroom, int flags) {
        s.asSlice(0, SIZE).fill((byte) 0);
        s.set(JAVA_LONG, ADDR_OFFSET, addr);
        s.set(JAVA_LONG, LEN_OFFSET, len);
        s.set(JAVA_INT, CHUNK_SIZE_OFFSET, chunkSize);
        s.set(JAVA_INT, HEADROOM_OFFSET, headroom);
        s.set(JAVA_INT, FLAGS_OFFSET, flags);
    }
}
