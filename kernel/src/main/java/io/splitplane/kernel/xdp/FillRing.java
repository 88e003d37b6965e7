package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The FILL ring: user space produces UMEM chunk addresses, the kernel consumes them to receive
 * into. Entries are u64 addresses ({@link XdpDescLayout#UMEM_ADDR_SIZE}).
 *
 * <p>Memory order: our {@code setRelease(producer)} in {@link #submit} pairs with the kernel's
 * {@code smp_load_acquire(producer)} in {@code xskq_cons_peek}; the kernel's
 * {@code smp_store_release(consumer)} in {@code xskq_cons_release} pairs with our
 * {@code getAcquire(consumer)} in {@link #reserve}.
 *
 * <p>With {@code XDP_USE_NEED_WAKEUP}, {@link #needsWakeup()} tells the RX side to call
 * {@link XskSocket#wakeupRx()} (the driver stopped because this ring ran dry).
 *
 * <pre>{@code
 * int n = fill.reserve(count);
 * for (int i = 0; i < n; i++) fill.set(i, addrs[i]);
 * fill.submit(n);
 * }</pre>
 */
public final class FillRing extends ProducerRing {
    FillRing(MemorySegment ring, XdpRingLayout layout) {
        super("fill", ring, layout, XdpDescLayout.UMEM_ADDR_SIZE);
    }

    /** Sets batch slot {@code i} (of the last {@link #reserve}) to UMEM address {@code addr}. */
    public void set(final int i, final long addr) {
        ring.set(JAVA_LONG, slotOffset(i), addr);
    }

    /** Reads back batch slot {@code i} (what was set). */
    public long get(final int i) {
        return ring.get(JAVA_LONG, slotOffset(i));
    }

    /**
     * Reserve, set and submit {@code addrs[offset .. offset+n)} in one go; returns how many went in
     * (fewer than {@code n} when the ring is fuller). No reservation may be open.
     */
    public int fillFrom(final long[] addrs, final int offset, final int n) {
        requireNoOpenBatch("fillFrom");
        Objects.checkFromIndexSize(offset, n, addrs.length);
        final int got = reserve(n);
        for (int i = 0; i < got; i++) {
            ring.set(JAVA_LONG, slotOffset(i), addrs[offset + i]);
        }
        submit(got);
        return got;
    }
}
