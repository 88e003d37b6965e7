package io.splitplane.kernel.xdp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

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
public abstract sealed class ConsumerRing permits RxRing, CompletionRing {
    /** u32 ring index access: coordinates (MemorySegment, long offset). */
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    final String name;
    final MemorySegment ring;
    final XdpRingLayout layout;
    final long producerOffset;
    final long consumerOffset;
    final long flagsOffset;
    final long descOffset;
    final int size;
    final int mask;
    final int entryShift;

    /** Producer index as last loaded (acquire). */
    int cachedProd;
    /** Next index to peek: everything below it is peeked or released. */
    int cachedCons;
    /** The value last release-stored into the consumer word. */
    int cons;
    /** First index and size of the last {@link #peek} batch. */
    int batchStart;
    int batchCount;

    ConsumerRing(String name, MemorySegment ring, XdpRingLayout layout, int entrySize) {
        this.name = name;
        if (layout.entrySize() != entrySize) {
            throw new IllegalArgumentException(name + " ring entrySize=" + layout.entrySize()
                    + ", expected " + entrySize);
        }
        if (ring.byteSize() < layout.mmapLength()) {
            throw new IllegalArgumentException(name + " ring segment size=" + ring.byteSize()
                    + " is smaller than mmapLength=" + layout.mmapLength());
        }
        this.ring = ring;
        this.layout = layout;
        this.producerOffset = layout.producerOffset();
        this.consumerOffset = layout.consumerOffset();
        this.flagsOffset = layout.flagsOffset();
        this.descOffset = layout.descOffset();
        this.size = layout.entries();
        this.mask = size - 1;
        this.entryShift = Integer.numberOfTrailingZeros(entrySize);
        // libxdp's initial state: cached_prod = *producer, cached_cons = *consumer.
        this.cons = (int) INT.getAcquire(ring, consumerOffset);
        this.cachedCons = cons;
        this.cachedProd = (int) INT.getAcquire(ring, producerOffset);
    }

    /** Number of entries ({@code setsockopt} size). */
    public final int size() {
        return size;
    }

    /** Where the parts of this ring are. */
    public final XdpRingLayout layout() {
        return layout;
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

    /** Size of the last {@link #peek} batch. */
    public final int batchSize() {
        return batchCount;
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

    /** Byte offset in the ring of batch slot {@code i}. */
    final long slotOffset(final int i) {
        Objects.checkIndex(i, batchCount);
        return descOffset + ((long) ((batchStart + i) & mask) << entryShift);
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
