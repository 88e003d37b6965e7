package io.splitplane.bpf;

import io.splitplane.api.classifier.IpPrefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * How one family and direction's prefixes are matched in a rule set: not at all (no rule has such a
 * prefix), by an inline table the program binary-searches, or by the LPM trie when the table cannot
 * hold them (more than {@link PrefixTableLayout#BOUNDS} intervals, or IPv6 prefixes longer than /64).
 */
sealed interface PrefixMatch {
    /** No rule has a prefix of this family in this direction. */
    record None() implements PrefixMatch {
    }

    /**
     * An inline table ({@link PrefixTableLayout}): ascending interval starts (unsigned; IPv4 the
     * address, IPv6 its upper 64 bits) and each interval's mask, rules without a prefix included;
     * {@code used} entries are real, the rest padding.
     */
    record Table(long[] start, long[] rules, int used, BlockIndex blockIndex) implements PrefixMatch {
        /** The largest power of two below {@code used} (0 for one entry): the search's first step. */
        int topStep() {
            return used <= 1 ? 0 : Integer.highestOneBit(used - 1);
        }
    }

    /**
     * The table's block index: the region {@code [regionLo, regionHi]}, the aligned range of keys that
     * holds every interval start but the first (their common leading bits, widened to at least
     * {@link PrefixTableLayout#BLOCKS} blocks), cut into blocks of {@code 2^shift} keys;
     * {@code blocks[b]} is the interval holding all of block b, or {@link PrefixTableLayout#REFINE}.
     */
    record BlockIndex(long regionLo, long regionHi, int shift, byte[] blocks) {
        private static final int BLOCK_BITS = Integer.numberOfTrailingZeros(PrefixTableLayout.BLOCKS);

        static BlockIndex of(long[] start, int used, int keyBits) {
            // Leading bits (of keyBits) that all starts but start[0] share; none with one interval.
            int common = 0;
            if (used > 1) {
                long diff = 0;
                for (int i = 2; i < used; i++) {
                    diff |= start[i] ^ start[1];
                }
                common = diff == 0 ? keyBits : Long.numberOfLeadingZeros(diff) - (64 - keyBits);
            }
            int prefix = Math.min(common, keyBits - BLOCK_BITS);
            int shift = keyBits - prefix - BLOCK_BITS;
            int regionBits = keyBits - prefix; // 16..64
            long lo = used > 1 && regionBits < 64 ? (start[1] >>> regionBits) << regionBits : 0;
            long hi = regionBits == 64 ? -1L : lo + (1L << regionBits) - 1;
            byte[] blocks = new byte[PrefixTableLayout.BLOCKS];
            int i = 0; // the interval holding the block's first key: blocks ascend, so it only grows
            for (int b = 0; b < blocks.length; b++) {
                long first = lo + ((long) b << shift);
                long last = first + (1L << shift) - 1;
                while (i + 1 < used && Long.compareUnsigned(start[i + 1], first) <= 0) {
                    i++;
                }
                boolean whole = i + 1 >= used || Long.compareUnsigned(start[i + 1], last) > 0;
                blocks[b] = (byte) (whole ? i : PrefixTableLayout.REFINE);
            }
            return new BlockIndex(lo, hi, shift, blocks);
        }
    }

    /** Trie entries: each distinct prefix and the rules whose prefix contains it. */
    record Trie(Map<IpPrefix, Long> entries) implements PrefixMatch {
    }

    /**
     * The match for {@code listed} (each prefix with the rules listing it) of one family; {@code any}
     * is the rules without a prefix in this direction.
     */
    static PrefixMatch of(int ipVersion, Map<IpPrefix, Long> listed, long any) {
        if (listed.isEmpty()) {
            return new None();
        }
        Table table = table(ipVersion, listed, any);
        return table != null ? table : new Trie(containment(listed));
    }

    /** The inline table, or null if it does not fit. */
    private static Table table(int ipVersion, Map<IpPrefix, Long> listed, long any) {
        int keyBits = ipVersion == 4 ? 32 : 64;
        TreeSet<Long> starts = new TreeSet<>(Long::compareUnsigned);
        starts.add(0L);
        for (IpPrefix p : listed.keySet()) {
            if (p.length() > keyBits) {
                return null; // an IPv6 prefix longer than the 64 bits the table looks at
            }
            long first = key(p, keyBits);
            starts.add(first);
            long size = p.length() == 0 ? 0 : 1L << (keyBits - p.length()); // 0: the whole space
            long next = first + size;
            boolean endOfSpace = size == 0 || (keyBits == 32 ? next == 1L << 32 : Long.compareUnsigned(next, first) <= 0);
            if (!endOfSpace) {
                starts.add(next);
            }
        }
        if (starts.size() > PrefixTableLayout.BOUNDS) {
            return null;
        }
        List<Long> bounds = new ArrayList<>(starts);
        long[] start = new long[PrefixTableLayout.BOUNDS];
        long[] rules = new long[PrefixTableLayout.BOUNDS];
        Arrays.fill(start, -1L);
        for (int i = 0; i < bounds.size(); i++) {
            long s = bounds.get(i);
            long mask = any;
            for (Map.Entry<IpPrefix, Long> e : listed.entrySet()) {
                if (containsKey(e.getKey(), keyBits, s)) {
                    mask |= e.getValue();
                }
            }
            start[i] = s;
            rules[i] = mask;
        }
        for (int i = bounds.size(); i < rules.length; i++) {
            rules[i] = rules[bounds.size() - 1];
        }
        return new Table(start, rules, bounds.size(), BlockIndex.of(start, bounds.size(), keyBits));
    }

    /** The first {@code keyBits} bits of the prefix's address as an unsigned number. */
    private static long key(IpPrefix p, int keyBits) {
        byte[] a = p.address();
        long k = 0;
        for (int i = 0; i < keyBits / 8; i++) {
            k = (k << 8) | (a[i] & 0xff);
        }
        return k;
    }

    private static boolean containsKey(IpPrefix p, int keyBits, long value) {
        if (p.length() == 0) {
            return true;
        }
        int shift = keyBits - p.length();
        return (key(p, keyBits) >>> shift) == (value >>> shift);
    }

    /** Each listed prefix with the rules of every listed prefix containing it (itself included). */
    private static Map<IpPrefix, Long> containment(Map<IpPrefix, Long> listed) {
        Map<IpPrefix, Long> out = new LinkedHashMap<>();
        for (IpPrefix entry : listed.keySet()) {
            long rules = 0;
            for (Map.Entry<IpPrefix, Long> other : listed.entrySet()) {
                if (other.getKey().contains(entry)) {
                    rules |= other.getValue();
                }
            }
            out.put(entry, rules);
        }
        return out;
    }
}
