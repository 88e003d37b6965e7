package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The TX ring: user space produces {@code struct xdp_desc} entries (UMEM address, length,
 * options), the kernel consumes them and sends the frames; the addresses come back on the
 * {@link CompletionRing}.
 *
 * <p>Memory order: descriptors are written with plain stores, then our {@code setRelease(producer)}
 * in {@link #submit} pairs with the kernel's {@code smp_load_acquire(producer)} in
 * {@code xskq_cons_peek_desc}; the kernel's {@code smp_store_release(consumer)} pairs with our
 * {@code getAcquire(consumer)} in {@link #reserve}.
 *
 * <p>Creating the TX ring pre-sets {@link AfXdp#XDP_RING_NEED_WAKEUP}; in copy mode it stays set and
 * every batch needs {@link XskSocket#kickTx()} (each call sends at most the TX budget, 32 by default).
 */
public final class TxRing extends ProducerRing {
    TxRing(MemorySegment ring, XdpRingLayout layout) {
        super("tx", ring, layout, XdpDescLayout.SIZE);
    }

    /** Sets batch slot {@code i} to send {@code len} bytes at UMEM address {@code addr}. */
    public void set(final int i, final long addr, final int len) {
        set(i, addr, len, 0);
    }

    /** Sets batch slot {@code i} with descriptor options (e.g. {@link AfXdp#XDP_PKT_CONTD}). */
    public void set(final int i, final long addr, final int len, final int options) {
        final long at = slotOffset(i);
        ring.set(JAVA_LONG, at + XdpDescLayout.ADDR_OFFSET, addr);
        ring.set(JAVA_INT, at + XdpDescLayout.LEN_OFFSET, len);
        ring.set(JAVA_INT, at + XdpDescLayout.OPTIONS_OFFSET, options);
    }

    /** Address in batch slot {@code i}. */
    public long addr(final int i) {
        return ring.get(JAVA_LONG, slotOffset(i) + XdpDescLayout.ADDR_OFFSET);
    }

    /** Length in batch slot {@code i}. */
    public int len(final int i) {
        return ring.get(JAVA_INT, slotOffset(i) + XdpDescLayout.LEN_OFFSET);
    }

    /**
     * Reserve, set and submit {@code n} descriptors from the arrays; returns how many went in (fewer
     * when the ring is fuller). No reservation may be open.
     */
    public int sendFrom(final long[] addrs, final int[] lens, final int offset, final int n) {
        requireNoOpenBatch("sendFrom");
        Objects.checkFromIndexSize(offset, n, addrs.length);
        Objects.checkFromIndexSize(offset, n, lens.length);
        final int got = reserve(n);
        for (int i = 0; i < got; i++) {
            final long at = slotOffset(i);
            ring.set(JAVA_LONG, at + XdpDescLayout.ADDR_OFFSET, addrs[offset + i]);
            ring.set(JAVA_INT, at + XdpDescLayout.LEN_OFFSET, lens[offset + i]);
            ring.set(JAVA_INT, at + XdpDescLayout.OPTIONS_OFFSET, 0);
        }
        submit(got);
        return got;
    }
}
