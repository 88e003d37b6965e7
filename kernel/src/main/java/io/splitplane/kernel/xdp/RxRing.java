package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The RX ring: the kernel produces {@code struct xdp_desc} entries for received packets, user
 * space consumes them. The address points at the packet data inside a UMEM chunk (see
 * {@link UmemLayout}); the chunk is user space's until it goes back on a FILL or TX ring.
 *
 * <p>Memory order: our {@code getAcquire(producer)} in {@link #peek} pairs with the kernel's
 * {@code smp_store_release(producer)} in {@code xskq_prod_submit}; our {@code setRelease(consumer)}
 * in {@link #release} pairs with the kernel's {@code smp_load_acquire(consumer)} in
 * {@code xskq_prod_is_full}/{@code xskq_get_entries}.
 *
 * <pre>{@code
 * int n = rx.peek(256);
 * for (int i = 0; i < n; i++) { addrs[i] = rx.addr(i); lens[i] = rx.len(i); }
 * rx.release(n);
 * }</pre>
 */
public final class RxRing extends ConsumerRing {
    RxRing(MemorySegment ring, XdpRingLayout layout) {
        super("rx", ring, layout, XdpDescLayout.SIZE);
    }

    /** UMEM address of the packet in batch slot {@code i} (of the last {@link #peek}). */
    public long addr(final int i) {
        return ring.get(JAVA_LONG, slotOffset(i) + XdpDescLayout.ADDR_OFFSET);
    }

    /** Length of the packet in batch slot {@code i}. */
    public int len(final int i) {
        return ring.get(JAVA_INT, slotOffset(i) + XdpDescLayout.LEN_OFFSET);
    }

    /** Options of batch slot {@code i} ({@link AfXdp#XDP_PKT_CONTD}). */
    public int options(final int i) {
        return ring.get(JAVA_INT, slotOffset(i) + XdpDescLayout.OPTIONS_OFFSET);
    }

    /**
     * Peek up to {@code max}, copy addresses and lengths into the arrays at {@code offset}, release;
     * returns how many. No peeked batch may be open.
     */
    public int drainTo(final long[] addrs, final int[] lens, final int offset, final int max) {
        requireNoOpenBatch("drainTo");
        Objects.checkFromIndexSize(offset, max, addrs.length);
        Objects.checkFromIndexSize(offset, max, lens.length);
        final int n = peek(max);
        for (int i = 0; i < n; i++) {
            final long at = slotOffset(i);
            addrs[offset + i] = ring.get(JAVA_LONG, at + XdpDescLayout.ADDR_OFFSET);
            lens[offset + i] = ring.get(JAVA_INT, at + XdpDescLayout.LEN_OFFSET);
        }
        release(n);
        return n;
    }
}
