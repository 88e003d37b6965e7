package io.splitplane.kernel.xdp;

import java.lang.foreign.MemorySegment;

/**
 * The user-space producer side of an AF_XDP ring ({@link FillRing}, {@link TxRing}): a flyweight
 * over the mmapped ring with cached indices, as libxdp's {@code xsk_ring_prod}.
 *
 * <p><b>Memory order</b> (kernel contract, {@code net/xdp/xsk_queue.h}): the producer writes
 * entries with plain stores and then publishes them with a <em>release</em> store of the producer
 * index ({@link #submit}); the kernel consumer reads the index with an <em>acquire</em> load before
 * reading the entries. In the other direction the kernel releases the consumer index after it has
 * read the entries, and {@link #reserve} acquires it before overwriting those slots. Indices are
 * free-running u32 values held in Java {@code int}s: all differences wrap at 2^32 exactly as in C.
 *
 * <p><b>Batch protocol</b>: {@code n = reserve(want)} claims up to {@code want} slots (fewer when
 * the ring is fuller, 0 when it is full: back-pressure is a count, never an exception);
 * {@code set(i, ...)} fills slot {@code i} of that batch ({@code 0 <= i < n});
 * {@code submit(k)} publishes the oldest {@code k} reserved slots. Nothing allocates. Exceptions
 * only flag caller bugs (a negative count, an index outside the batch, submitting more than was
 * reserved).
 *
 * <p>Single-threaded: one ring, one thread at a time (the rings are single-producer,
 * single-consumer). After the socket closes, every access throws {@link IllegalStateException}.
 */
public abstract sealed class ProducerRing extends XdpRing permits FillRing, TxRing {
    /** Next index to reserve: everything below it is reserved or published. */
    int cachedProd;
    /** Consumer index as last loaded (acquire), plus {@link #size}: the first index we may not fill. */
    int cachedCons;
    /** The value last release-stored into the producer word. */
    int prod;

    ProducerRing(String name, MemorySegment ring, XdpRingLayout layout, int entrySize) {
        super(name, ring, layout, entrySize);
        // libxdp's initial state: cached_prod = *producer, cached_cons = *consumer + size.
        this.prod = (int) INT.getAcquire(ring, producerOffset);
        this.cachedProd = prod;
        this.cachedCons = (int) INT.getAcquire(ring, consumerOffset) + size;
    }

    /**
     * Reserves up to {@code want} slots and returns how many it got (0 when the ring is full).
     * Re-reads the consumer index (acquire) only when the cached view shows too little room.
     */
    public final int reserve(final int want) {
        if (want <= 0) {
            if (want < 0) {
                throw new IllegalArgumentException(name + ".reserve: want=" + want + " is negative");
            }
            batchCount = 0;
            return 0;
        }
        final int start = cachedProd;
        int free = cachedCons - start;
        if (free < want) {
            // (A) in the kernel's comment: acquire pairs with the kernel's release of the consumer
            // index, so its reads of these slots are done before we overwrite them.
            cachedCons = (int) INT.getAcquire(ring, consumerOffset) + size;
            free = cachedCons - start;
            if (free < 0 || free > size) {
                throw corrupt(free);
            }
        }
        final int n = Math.min(want, free);
        batchStart = start;
        batchCount = n;
        cachedProd = start + n;
        return n;
    }

    /**
     * Publishes the oldest {@code n} reserved entries with one release store of the producer index
     * ((B): pairs with the kernel's acquire load (C) of it).
     */
    public final void submit(final int n) {
        final int p = prod;
        if (n < 0 || n > cachedProd - p) {
            throw new IllegalArgumentException(name + ".submit: n=" + n + " but reserved=" + (cachedProd - p));
        }
        if (n != 0) {
            prod = p + n;
            INT.setRelease(ring, producerOffset, p + n);
        }
    }

    /** Gives back the newest {@code n} reserved, unsubmitted slots. */
    public final void cancel(final int n) {
        if (n < 0 || n > cachedProd - prod) {
            throw new IllegalArgumentException(name + ".cancel: n=" + n + " but reserved=" + (cachedProd - prod));
        }
        cachedProd -= n;
        batchCount = Math.max(0, batchCount - n);
    }

    /** Slots reserved and not yet submitted. */
    public final int reserved() {
        return cachedProd - prod;
    }

    /** Free-running index of slot 0 of the last {@link #reserve} batch. */
    public final int reserveIndex() {
        return batchStart;
    }

    /** Free slots right now (re-reads the consumer index). */
    public final int freeSlots() {
        cachedCons = (int) INT.getAcquire(ring, consumerOffset) + size;
        return cachedCons - cachedProd;
    }

    /**
     * Entries submitted and not yet consumed by the other side (re-reads the consumer index). For
     * the FILL ring: frames the kernel holds for reception; for TX: frames queued for sending.
     */
    public final int pending() {
        return prod - (int) INT.getAcquire(ring, consumerOffset);
    }

    /** The published producer index. */
    public final int producerIndex() {
        return prod;
    }

    /** The consumer index, loaded with acquire. */
    public final int consumerIndex() {
        return (int) INT.getAcquire(ring, consumerOffset);
    }

    /**
     * Whether the kernel asked for a wakeup ({@link AfXdp#XDP_RING_NEED_WAKEUP}). An opaque
     * (relaxed) load: no ordering needed, but never hoisted out of a polling loop.
     */
    public final boolean needsWakeup() {
        return ((int) INT.getOpaque(ring, flagsOffset) & AfXdp.XDP_RING_NEED_WAKEUP) != 0;
    }

    final void requireNoOpenBatch(final String operation) {
        if (cachedProd != prod) {
            throw new IllegalStateException(name + "." + operation + ": " + (cachedProd - prod)
                    + " slots are reserved and not submitted");
        }
    }

    private IllegalStateException corrupt(final int free) {
        return new IllegalStateException(name + " ring indices are inconsistent: free=" + free + ", size=" + size
                + ", cachedProd=" + Integer.toUnsignedString(cachedProd)
                + ", consumer=" + Integer.toUnsignedString(cachedCons - size)
                + " (is a second object driving this ring?)");
    }

    @Override
    public String toString() {
        return name + "Ring[size=" + size + ", prod=" + Integer.toUnsignedString(prod)
                + ", reserved=" + (cachedProd - prod) + "]";
    }
}
