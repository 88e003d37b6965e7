package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Ring entries. RX and TX rings hold {@code struct xdp_desc}; FILL and COMPLETION rings hold a
 * bare {@code u64} UMEM address.
 *
 * <pre>
 * struct xdp_desc (RX, TX):
 *  0                                                              8
 * +---------------------------------------------------------------+
 * | addr u64   UMEM address of the packet data                    |
 * +-------------------------------+-------------------------------+
 * | len u32                       | options u32 (XDP_PKT_CONTD...)|
 * +-------------------------------+-------------------------------+
 *  8                              12                              16
 *
 * FILL / COMPLETION entry:
 * +---------------------------------------------------------------+
 * | u64 UMEM address                                              |
 * +---------------------------------------------------------------+
 *  0                                                              8
 * </pre>
 */
public final class XdpDescLayout {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("options")).withName("xdp_desc");

    public static final long ADDR_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("addr"));
    public static final long LEN_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("len"));
    public static final long OPTIONS_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("options"));
    /** Bytes per RX/TX entry. */
    public static final int SIZE = (int) LAYOUT.byteSize();
    /** log2 of {@link #SIZE}: slot offset = slot &lt;&lt; SHIFT. */
    public static final int SHIFT = Integer.numberOfTrailingZeros(SIZE);

    /** Bytes per FILL/COMPLETION entry (a u64 address). */
    public static final int UMEM_ADDR_SIZE = (int) JAVA_LONG.byteSize();
    /** log2 of {@link #UMEM_ADDR_SIZE}. */
    public static final int UMEM_ADDR_SHIFT = Integer.numberOfTrailingZeros(UMEM_ADDR_SIZE);

    private XdpDescLayout() {
    }
}
