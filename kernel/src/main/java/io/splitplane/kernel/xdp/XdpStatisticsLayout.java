package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct xdp_statistics}, read with {@code getsockopt(SOL_XDP, XDP_STATISTICS)}.
 *
 * <pre>
 *  0  rx_dropped                u64   dropped for other reasons
 *  8  rx_invalid_descs          u64   dropped: invalid descriptor (RX)
 * 16  tx_invalid_descs          u64   dropped: invalid descriptor (TX)
 * ---- 24: end of the v1 struct (kernels before 5.9) ----
 * 24  rx_ring_full              u64   dropped: RX ring full
 * 32  rx_fill_ring_empty_descs  u64   FILL ring was empty when a packet arrived
 * 40  tx_ring_empty_descs       u64   TX ring was empty when the kernel looked
 * 48
 * </pre>
 *
 * Pass {@link #SIZE} as optlen to get all six; a kernel that writes only {@link #SIZE_V1} bytes
 * leaves the newer counters at zero.
 */
public final class XdpStatisticsLayout {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rx_dropped"),
            JAVA_LONG.withName("rx_invalid_descs"),
            JAVA_LONG.withName("tx_invalid_descs"),
            JAVA_LONG.withName("rx_ring_full"),
            JAVA_LONG.withName("rx_fill_ring_empty_descs"),
            JAVA_LONG.withName("tx_ring_empty_descs")).withName("xdp_statistics");

    public static final long RX_DROPPED_OFFSET = offsetOf("rx_dropped");
    public static final long RX_INVALID_DESCS_OFFSET = offsetOf("rx_invalid_descs");
    public static final long TX_INVALID_DESCS_OFFSET = offsetOf("tx_invalid_descs");
    public static final long RX_RING_FULL_OFFSET = offsetOf("rx_ring_full");
    public static final long RX_FILL_RING_EMPTY_DESCS_OFFSET = offsetOf("rx_fill_ring_empty_descs");
    public static final long TX_RING_EMPTY_DESCS_OFFSET = offsetOf("tx_ring_empty_descs");
    public static final long SIZE = LAYOUT.byteSize();
    public static final long SIZE_V1 = RX_RING_FULL_OFFSET;

    private XdpStatisticsLayout() {
    }

    private static long offsetOf(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** Decodes {@code s}, of which the kernel wrote {@code written} bytes. */
    static XskStatistics read(MemorySegment s, int written) {
        return new XskStatistics(
                s.get(JAVA_LONG, RX_DROPPED_OFFSET),
                s.get(JAVA_LONG, RX_INVALID_DESCS_OFFSET),
                s.get(JAVA_LONG, TX_INVALID_DESCS_OFFSET),
                written >= SIZE ? s.get(JAVA_LONG, RX_RING_FULL_OFFSET) : 0,
                written >= SIZE ? s.get(JAVA_LONG, RX_FILL_RING_EMPTY_DESCS_OFFSET) : 0,
                written >= SIZE ? s.get(JAVA_LONG, TX_RING_EMPTY_DESCS_OFFSET) : 0);
    }
}
