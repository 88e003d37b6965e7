package io.splitplane.dataplane.port;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-producer, single-consumer ring of (frame address, length) pairs between two threads:
 * the wire of a {@link MemoryPortPair}. Bulk offer and poll, allocation-free, wait-free.
 *
 * <p><b>Memory order</b>, as the AF_XDP rings: the producer writes the slots (and, before that, the
 * packet bytes) with plain stores, then publishes with a <em>release</em> store of the producer
 * index; the consumer <em>acquires</em> the producer index before reading slots or bytes. The
 * consumer releases its index after reading the slots; the producer acquires it before reusing
 * them. Each side caches the other's index and re-reads it only when its view is exhausted.
 * Indices are free-running longs in one padded {@code long[]}: producer line and consumer line are
 * 128 bytes apart (no false sharing), each side's cached view lives on its own line.
 */
final class SpscFrameRing {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PROD = 16;
    private static final int PROD_CACHED_LIMIT = PROD + 1;
    private static final int CONS = 32;
    private static final int CONS_CACHED_PROD = CONS + 1;

    private final long[] addrs;
    private final int[] lens;
    private final int capacity;
    private final int mask;
    private final long[] idx = new long[48];

    SpscFrameRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ringSize=" + capacity + " is not a power of two >= 2");
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.addrs = new long[capacity];
        this.lens = new int[capacity];
        idx[PROD_CACHED_LIMIT] = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** Producer: appends up to {@code n} entries; returns how many fitted. */
    int offer(final long[] a, final int[] l, final int off, final int n) {
        final long[] x = idx;
        final long p = x[PROD];
        long limit = x[PROD_CACHED_LIMIT];
        if (limit - p < n) {
            limit = (long) LONGS.getAcquire(x, CONS) + capacity;
            x[PROD_CACHED_LIMIT] = limit;
        }
        final int k = (int) Math.min(n, limit - p);
        if (k <= 0) {
            return 0;
        }
        final int start = (int) (p & mask);
        final int first = Math.min(k, capacity - start);
        System.arraycopy(a, off, addrs, start, first);
        System.arraycopy(l, off, lens, start, first);
        if (k > first) {
            System.arraycopy(a, off + first, addrs, 0, k - first);
            System.arraycopy(l, off + first, lens, 0, k - first);
        }
        LONGS.setRelease(x, PROD, p + k);
        return k;
    }

    /** Consumer: takes up to {@code max} entries into the arrays at {@code off}; returns how many. */
    int poll(final long[] a, final int[] l, final int off, final int max) {
        final long[] x = idx;
        final long c = x[CONS];
        long p = x[CONS_CACHED_PROD];
        if (p == c) {
            p = (long) LONGS.getAcquire(x, PROD);
            x[CONS_CACHED_PROD] = p;
        }
        final int k = (int) Math.min(max, p - c);
        if (k <= 0) {
            return 0;
        }
        final int start = (int) (c & mask);
        final int first = Math.min(k, capacity - start);
        System.arraycopy(addrs, start, a, off, first);
        System.arraycopy(lens, start, l, off, first);
        if (k > first) {
            System.arraycopy(addrs, 0, a, off + first, k - first);
            System.arraycopy(lens, 0, l, off + first, k - first);
        }
        LONGS.setRelease(x, CONS, c + k);
        return k;
    }

    /** Entries waiting, from any thread (a snapshot). */
    int size() {
        final long c = (long) LONGS.getAcquire(idx, CONS);
        final long p = (long) LONGS.getAcquire(idx, PROD);
        return (int) (p - c);
    }
}
