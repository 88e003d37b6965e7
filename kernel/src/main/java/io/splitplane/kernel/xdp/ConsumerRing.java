package io.splitplane.kernel.xdp;

import java.lang.foreign.MemorySegment;

/**
 * The user-space consumer side of an AF_XDP ring ({@link RxRing}, {@link CompletionRing}): a
 * flyweight over the mmapped ring with cached indices, as libxdp's {@code xsk_ring_cons}.
 *
 * <p><b>Memory order</b> (kernel contract, {@code net/xdp/xsk_queue.h}): {@link #peek} loads the
 * producer index with <em>acquire</em> ((C), pairing with the kernel's release store (B) after it
 * wrote the entries), then entries are read with plain loads; {@link #release} publishes the
 * consumer index with a <em>release</em> store ((D), pairing with the kernel producer's acquire /
 * control dependency (A) before it reuses the slots). Indices are free-running u32 values in Java
 * {@code int}s; differences wrap at 2^32 as in C.
 *
 * <p><b>Batch protocol</b>: {@code n = peek(max)} returns how many entries are ready (0 when none:
 * never an exception) and makes them batch slots {@code 0..n-1}; read them with the subclass's
 * accessors; {@code release(n)} hands the oldest {@code n} peeked slots back to the kernel. Nothing
 * allocates.
 *
 * <p>Single-threaded: one ring, one thread at a time. After the socket closes, every access throws
 * {@link IllegalStateException}.
 */
public abstract sealed class ConsumerRing extends XdpRing permits RxRing, CompletionRing {
    /** Producer index as last loaded (acquire). */
    int cachedProd;
    /** Next index to peek: everything below it is peeked or released. */
    int cachedCons;
    /** The value last release-stored into the consumer word. */
    int cons;

    ConsumerRing(String name, MemorySegment ring, XdpRingLayout layout, int entrySize) {
        super(name, ring, layout, entrySize);
        // libxdp's initial state: cached_prod = *producer, cached_cons = *consumer.
        this.cons = (int) INT.getAcquire(ring, consumerOffset);
        this.cachedCons = cons;
        this.cachedProd = (int) INT.getAcquire(ring, producerOffset);
    }

    /**
     * Takes up to {@code max} ready entries as batch slots {@code 0..n-1} and returns {@code n}
     * (0 when there are none). Re-reads the producer index (acquire) only when the cached view
     * shows nothing left, as libxdp does.
     */
    public final int peek(final int max) {
        if (max <= 0) {
            if (max < 0) {
                throw new IllegalArgumentException(name + ".peek: max=" + max + " is negative");
            }
            batchCount = 0;
            return 0;
        }
        final int start = cachedCons;
        int entries = cachedProd - start;
        if (entries == 0) {
            // (C): acquire pairs with the kernel's release store (B) of the producer index, so the
            // entries it covers are visible to the plain loads that follow.
            cachedProd = (int) INT.getAcquire(ring, producerOffset);
            entries = cachedProd - start;
        }
        if (entries < 0 || entries > size) {
            throw corrupt(entries);
        }
        final int n = Math.min(max, entries);
        batchStart = start;
        batchCount = n;
        cachedCons = start + n;
        return n;
    }

    /**
     * Hands the oldest {@code n} peeked entries back with one release store of the consumer index
     * ((D): pairs with the kernel producer's (A) before it overwrites those slots). Read the entries
     * before releasing them.
     */
    public final void release(final int n) {
        final int c = cons;
        if (n < 0 || n > cachedCons - c) {
            throw new IllegalArgumentException(name + ".release: n=" + n + " but peeked=" + (cachedCons - c));
        }
        if (n != 0) {
            cons = c + n;
            INT.setRelease(ring, consumerOffset, c + n);
        }
    }

    /** Un-peeks the newest {@code n} peeked, unreleased entries: the next peek returns them again. */
    public final void cancel(final int n) {
        if (n < 0 || n > cachedCons - cons) {
            throw new IllegalArgumentException(name + ".cancel: n=" + n + " but peeked=" + (cachedCons - cons));
        }
        cachedCons -= n;
        batchCount = Math.max(0, batchCount - n);
    }

    /** Entries peeked and not yet released. */
    public final int peeked() {
        return cachedCons - cons;
    }

    /** Free-running index of slot 0 of the last {@link #peek} batch. */
    public final int peekIndex() {
        return batchStart;
    }

    /**
     * Entries produced and not yet released, right now (re-reads the producer index). For RX:
     * packets waiting; for COMPLETION: sent frames not yet reaped.
     */
    public final int available() {
        cachedProd = (int) INT.getAcquire(ring, producerOffset);
        return cachedProd - cons;
    }

    /** The producer index, loaded with acquire. */
    public final int producerIndex() {
        return (int) INT.getAcquire(ring, producerOffset);
    }

    /** The published consumer index. */
    public final int consumerIndex() {
        return cons;
    }

    /** The ring's flags word, relaxed (opaque) load. */
    public final int flags() {
        return (int) INT.getOpaque(ring, flagsOffset);
    }

    final void requireNoOpenBatch(final String operation) {
        if (cachedCons != cons) {
            throw new IllegalStateException(name + "." + operation + ": " + (cachedCons - cons)
                    + " entries are peeked and not released");
        }
    }

    private IllegalStateException corrupt(final int entries) {
        return new IllegalStateException(name + " ring indices are inconsistent: entries=" + entries + ", size=" + size
                + ", producer=" + Integer.toUnsignedString(cachedProd)
                + ", cachedCons=" + Integer.toUnsignedString(cachedCons)
                + " (is a second object driving this ring?)");
    }

    @Override
    public String toString() {
        return name + "Ring[size=" + size + ", cons=" + Integer.toUnsignedString(cons)
                + ", peeked=" + (cachedCons - cons) + "]";
    }
}
