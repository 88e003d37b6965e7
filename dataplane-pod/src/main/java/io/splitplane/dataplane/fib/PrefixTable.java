package io.splitplane.dataplane.fib;

import java.util.Arrays;

/**
 * The control side's route set, the source of truth the lookup tables are derived from: one
 * open-addressing hash map per prefix length (0..32), prefix → value. Control thread only; not
 * thread-safe.
 *
 * <p>Why per-length maps and not a trie: an exact-match add/remove is one hash probe, the covering
 * route of a deleted prefix is at most 32 probes ({@link #longestCovering}), and the memory is two
 * {@code int}s per slot at a load of at most 1/2 (about 16 bytes per route, 16 MiB for 1M routes), with
 * no per-route object. A value of 0 marks an empty slot, which is free because route targets are never 0
 * ({@link FibResult#isRouteTarget}); deletion shifts the following run back (no tombstones).
 */
final class PrefixTable {
    static final int MAX_LENGTH = 32;
    private static final int MIN_CAPACITY = 8;

    private final int[][] keys = new int[MAX_LENGTH + 1][];
    private final int[][] values = new int[MAX_LENGTH + 1][];
    private final int[] sizes = new int[MAX_LENGTH + 1];
    /** Bit {@code l} set when length {@code l} has at least one prefix (skips empty lengths fast). */
    private long lengthsInUse;
    private int size;

    PrefixTable() {
        for (int l = 0; l <= MAX_LENGTH; l++) {
            keys[l] = new int[MIN_CAPACITY];
            values[l] = new int[MIN_CAPACITY];
        }
    }

    static int mask(final int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    private static int slot(final int prefix, final int mask) {
        // Prefixes differ in their high bits and end in zeros: mix every bit into the low ones
        // (murmur3's 32-bit finaliser) before masking.
        int h = prefix;
        h ^= h >>> 16;
        h *= 0x85EB_CA6B;
        h ^= h >>> 13;
        h *= 0xC2B2_AE35;
        h ^= h >>> 16;
        return h & mask;
    }

    int size() {
        return size;
    }

    int size(final int length) {
        return sizes[length];
    }

    /** The value stored for {@code prefix/length}, or 0. */
    int get(final int prefix, final int length) {
        if (sizes[length] == 0) {
            return 0;
        }
        final int[] k = keys[length];
        final int[] v = values[length];
        final int m = k.length - 1;
        for (int i = slot(prefix, m); ; i = (i + 1) & m) {
            final int value = v[i];
            if (value == 0) {
                return 0;
            }
            if (k[i] == prefix) {
                return value;
            }
        }
    }

    /** Stores {@code value} (non-zero); returns the previous value or 0. */
    int put(final int prefix, final int length, final int value) {
        int[] k = keys[length];
        if ((sizes[length] + 1) * 2 > k.length) {
            grow(length);
            k = keys[length];
        }
        final int[] v = values[length];
        final int m = k.length - 1;
        for (int i = slot(prefix, m); ; i = (i + 1) & m) {
            final int old = v[i];
            if (old == 0) {
                k[i] = prefix;
                v[i] = value;
                sizes[length]++;
                size++;
                lengthsInUse |= 1L << length;
                return 0;
            }
            if (k[i] == prefix) {
                v[i] = value;
                return old;
            }
        }
    }

    /** Removes {@code prefix/length}; returns its value or 0 when absent. */
    int remove(final int prefix, final int length) {
        if (sizes[length] == 0) {
            return 0;
        }
        final int[] k = keys[length];
        final int[] v = values[length];
        final int m = k.length - 1;
        int i = slot(prefix, m);
        while (true) {
            final int value = v[i];
            if (value == 0) {
                return 0;
            }
            if (k[i] == prefix) {
                break;
            }
            i = (i + 1) & m;
        }
        final int removed = v[i];
        // Backward-shift deletion: move later members of the run into the hole when their home slot
        // allows it, so lookups never need tombstones.
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & m;
            if (v[j] == 0) {
                break;
            }
            final int home = slot(k[j], m);
            final boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                k[hole] = k[j];
                v[hole] = v[j];
                hole = j;
            }
        }
        k[hole] = 0;
        v[hole] = 0;
        sizes[length]--;
        size--;
        if (sizes[length] == 0) {
            lengthsInUse &= ~(1L << length);
        }
        return removed;
    }

    /**
     * The longest prefix strictly shorter than {@code length}, and not the /0, that covers
     * {@code prefix}, as {@code (length << 32) | (value & 0xFFFFFFFF)}, or -1 when none.
     */
    long longestCovering(final int prefix, final int length) {
        // Only the lengths 1 .. length-1 that hold something.
        long candidates = lengthsInUse & ((1L << length) - 1) & ~1L;
        while (candidates != 0) {
            final int l = 63 - Long.numberOfLeadingZeros(candidates);
            final int value = get(prefix & mask(l), l);
            if (value != 0) {
                return ((long) l << 32) | (value & 0xFFFF_FFFFL);
            }
            candidates &= ~(1L << l);
        }
        return -1L;
    }

    /** The longest prefix of any length covering {@code address}, encoded as {@link #longestCovering}. */
    long longestMatch(final int address) {
        long candidates = lengthsInUse;
        while (candidates != 0) {
            final int l = 63 - Long.numberOfLeadingZeros(candidates);
            final int value = get(address & mask(l), l);
            if (value != 0) {
                return ((long) l << 32) | (value & 0xFFFF_FFFFL);
            }
            candidates &= ~(1L << l);
        }
        return -1L;
    }

    /** Visits every entry of {@code length} (in slot order); the visitor must not modify this table. */
    void forEach(final int length, final EntryVisitor visitor) {
        if (sizes[length] == 0) {
            return;
        }
        final int[] k = keys[length];
        final int[] v = values[length];
        for (int i = 0; i < k.length; i++) {
            if (v[i] != 0) {
                visitor.visit(k[i], length, v[i]);
            }
        }
    }

    /** Rewrites every value of {@code length} in place through {@code f} (which must not return 0). */
    void replaceAll(final int length, final ValueFunction f) {
        if (sizes[length] == 0) {
            return;
        }
        final int[] k = keys[length];
        final int[] v = values[length];
        for (int i = 0; i < k.length; i++) {
            if (v[i] != 0) {
                v[i] = f.apply(k[i], length, v[i]);
            }
        }
    }

    /** Approximate heap bytes of the arrays (headers ignored). */
    long heapBytes() {
        long bytes = 0;
        for (int l = 0; l <= MAX_LENGTH; l++) {
            bytes += 8L * keys[l].length;
        }
        return bytes;
    }

    private void grow(final int length) {
        final int[] oldKeys = keys[length];
        final int[] oldValues = values[length];
        final int capacity = oldKeys.length * 2;
        final int[] k = new int[capacity];
        final int[] v = new int[capacity];
        final int m = capacity - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            final int value = oldValues[i];
            if (value != 0) {
                int j = slot(oldKeys[i], m);
                while (v[j] != 0) {
                    j = (j + 1) & m;
                }
                k[j] = oldKeys[i];
                v[j] = value;
            }
        }
        keys[length] = k;
        values[length] = v;
    }

    void clear() {
        for (int l = 0; l <= MAX_LENGTH; l++) {
            keys[l] = new int[MIN_CAPACITY];
            values[l] = new int[MIN_CAPACITY];
        }
        Arrays.fill(sizes, 0);
        lengthsInUse = 0;
        size = 0;
    }

    @FunctionalInterface
    interface EntryVisitor {
        void visit(int prefix, int length, int value);
    }

    @FunctionalInterface
    interface ValueFunction {
        int apply(int prefix, int length, int value);
    }
}
