package io.splitplane.kernel.xdp;

/**
 * {@code XDP_STATISTICS} counters of one socket ({@link XdpStatisticsLayout}).
 *
 * @param rxDropped received frames dropped for other reasons
 * @param rxInvalidDescs received frames dropped for an invalid descriptor
 * @param txInvalidDescs TX descriptors rejected as invalid
 * @param rxRingFull received frames dropped because the RX ring was full
 * @param rxFillRingEmptyDescs times the FILL ring was empty when a frame arrived
 * @param txRingEmptyDescs times the kernel found the TX ring empty
 */
public record XskStatistics(long rxDropped, long rxInvalidDescs, long txInvalidDescs, long rxRingFull,
                            long rxFillRingEmptyDescs, long txRingEmptyDescs) {
    /** Every frame the socket lost on receive: dropped, invalid, or no room on the RX ring. */
    public long rxLost() {
        return rxDropped + rxInvalidDescs + rxRingFull;
    }

    /** Counter-wise difference {@code this - earlier}. */
    public XskStatistics minus(XskStatistics earlier) {
        return new XskStatistics(rxDropped - earlier.rxDropped, rxInvalidDescs - earlier.rxInvalidDescs,
                txInvalidDescs - earlier.txInvalidDescs, rxRingFull - earlier.rxRingFull,
                rxFillRingEmptyDescs - earlier.rxFillRingEmptyDescs, txRingEmptyDescs - earlier.txRingEmptyDescs);
    }
}
