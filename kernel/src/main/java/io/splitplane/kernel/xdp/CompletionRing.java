package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The COMPLETION ring: the kernel produces the UMEM addresses of frames it has finished sending
 * (exactly the addresses given on the TX ring), user space consumes them and may reuse the chunks.
 *
 * <p>Memory order: our {@code getAcquire(producer)} in {@link #peek} pairs with the kernel's
 * {@code smp_store_release(producer)} in {@code xskq_prod_submit_n}; our
 * {@code setRelease(consumer)} in {@link #release} pairs with the kernel's
 * {@code smp_load_acquire(consumer)} when it reserves completion space before sending.
 *
 * <p>Reap it regularly: the kernel reserves a completion slot before each send, so a full
 * COMPLETION ring stalls TX.
 */
public final class CompletionRing extends ConsumerRing {
    CompletionRing(MemorySegment ring, XdpRingLayout layout) {
        super("completion", ring, layout, XdpDescLayout.UMEM_ADDR_SIZE);
    }

    /** UMEM address in batch slot {@code i} (of the last {@link #peek}). */
    public long addr(final int i) {
        return ring.get(JAVA_LONG, slotOffset(i));
    }

    /**
     * Peek up to {@code max}, copy the addresses into {@code addrs} at {@code offset}, release;
     * returns how many. No peeked batch may be open.
     */
    public int drainTo(final long[] addrs, final int offset, final int max) {
        requireNoOpenBatch("drainTo");
        Objects.checkFromIndexSize(offset, max, addrs.length);
        final int n = peek(max);
        for (int i = 0; i < n; i++) {
            addrs[offset + i] = ring.get(JAVA_LONG, slotOffset(i));
        }
        release(n);
        return n;
    }
}
