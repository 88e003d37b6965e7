package io.splitplane.dataplane.channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-producer, single-consumer ring of entries of two {@code long}s between two threads (the
 * application thread of a channel and a graph worker): how frames change hands without a lock.
 * Allocation-free and wait-free; full and empty are return values.
 *
 * <p><b>Memory order</b> (as the AF_XDP rings): the producer writes the entry (and, before that, the
 * frame's bytes) with plain stores, then publishes with a <em>release</em> store of its index; the
 * consumer <em>acquires</em> the producer index before reading the entry or the frame. The consumer
 * releases its index after reading the entry; the producer acquires it before reusing the slot. Each
 * side caches the other's index and re-reads it only when its cached view is exhausted. Indices are
 * free-running longs, producer and consumer lines 128 bytes apart (no false sharing).
 */
final class SpscPairRing {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PROD = 16;
    private static final int PROD_CACHED_LIMIT = PROD + 1;
    private static final int CONS = 32;
    private static final int CONS_CACHED_PROD = CONS + 1;

    private final long[] entries;
    private final int capacity;
    private final int mask;
    private final long[] idx = new long[48];

    SpscPairRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " is not a power of two >= 2");
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.entries = new long[capacity * 2];
        idx[PROD_CACHED_LIMIT] = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** Producer: appends (a, b); false when full. */
    boolean offer(final long a, final long b) {
        final long[] x = idx;
        final long p = x[PROD];
        if (p == x[PROD_CACHED_LIMIT]) {
            final long limit = (long) LONGS.getAcquire(x, CONS) + capacity;
            x[PROD_CACHED_LIMIT] = limit;
            if (p == limit) {
                return false;
            }
        }
        final int s = (int) (p & mask) << 1;
        entries[s] = a;
        entries[s + 1] = b;
        LONGS.setRelease(x, PROD, p + 1);
        return true;
    }

    /**
     * Consumer: whether an entry is there; if so {@link #a()}/{@link #b()} read it until {@link #take()}.
     */
    boolean peek() {
        final long[] x = idx;
        final long c = x[CONS];
        if (c == x[CONS_CACHED_PROD]) {
            final long p = (long) LONGS.getAcquire(x, PROD);
            x[CONS_CACHED_PROD] = p;
            return p != c;
        }
        return true;
    }

    /** Consumer: first word of the entry {@link #peek()} found. */
    long a() {
        return entries[(int) (idx[CONS] & mask) << 1];
    }

    /** Consumer: second word of the entry {@link #peek()} found. */
    long b() {
        return entries[((int) (idx[CONS] & mask) << 1) + 1];
    }

    /** Consumer: hands the slot of the entry {@link #peek()} found back to the producer. */
    void take() {
        final long[] x = idx;
        LONGS.setRelease(x, CONS, x[CONS] + 1);
    }

    /** Entries waiting, from any thread (a snapshot). */
    int size() {
        final long c = (long) LONGS.getAcquire(idx, CONS);
        final long p = (long) LONGS.getAcquire(idx, PROD);
        return (int) (p - c);
    }
}
