package io.splitplane.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.classifier.IpPrefix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The block index of inline prefix tables: for random prefix sets of both families, every key the
 * program could look up the way classifier.bpf.c's table_rules() does (region check, block entry, or
 * binary search for refined blocks) must land in the interval a plain scan of the starts gives. Keys
 * are drawn at the region's and every block's edges, at every start and next to it, and at random.
 * ClassifierDifferentialTest checks the program itself against the rule semantics.
 */
class PrefixTableBlockIndexTest {
    private static final int SETS = 200;

    @ParameterizedTest
    @ValueSource(ints = {4, 6})
    void everyKeyFindsTheIntervalTheStartsSay(int version) {
        Random rnd = new Random(version * 7919L);
        int keyBits = version == 4 ? 32 : 64;
        for (int set = 0; set < SETS; set++) {
            Map<IpPrefix, Long> listed = randomPrefixes(rnd, version);
            PrefixMatch.Table t = assertInstanceOf(PrefixMatch.Table.class, PrefixMatch.of(version, listed, 1L << 63),
                    "set " + set + " fits the table");
            PrefixMatch.BlockIndex index = t.blockIndex();
            List<Long> keys = new ArrayList<>();
            long lo = index.regionLo();
            long hi = index.regionHi();
            keys.addAll(List.of(0L, lo, lo - 1, hi, hi + 1, keyBits == 32 ? 0xffff_ffffL : -1L));
            for (int i = 0; i < t.used(); i++) {
                keys.add(t.start()[i]);
                keys.add(t.start()[i] - 1);
                keys.add(t.start()[i] + 1);
            }
            for (int b = 0; b < PrefixTableLayout.BLOCKS; b += 1 + rnd.nextInt(700)) {
                long first = lo + ((long) b << index.shift());
                keys.add(first);
                keys.add(first + (1L << index.shift()) - 1);
            }
            for (int i = 0; i < 200; i++) {
                keys.add(keyBits == 32 ? rnd.nextLong() >>> 32 : rnd.nextLong());
            }
            for (long key : keys) {
                if (keyBits == 32 && (key < 0 || key > 0xffff_ffffL)) {
                    continue; // not an IPv4 key
                }
                assertEquals(scan(t, key), lookup(t, key),
                        () -> "set " + listed.keySet() + ", key " + Long.toUnsignedString(key, 16));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 6})
    void prefixesOnBlockBoundariesNeedNoSearch(int version) {
        Map<IpPrefix, Long> listed = new LinkedHashMap<>();
        if (version == 4) {
            listed.put(IpPrefix.parse("10.1.0.0/16"), 1L);
            listed.put(IpPrefix.parse("10.200.0.0/16"), 2L);
        } else {
            listed.put(IpPrefix.parse("2001:db8:1::/48"), 1L);
            listed.put(IpPrefix.parse("2001:db8:200::/48"), 2L);
        }
        PrefixMatch.Table t = (PrefixMatch.Table) PrefixMatch.of(version, listed, 0);
        for (byte b : t.blockIndex().blocks()) {
            assertTrue((b & 0xff) < PrefixTableLayout.REFINE, "no block needs the binary search");
        }
    }

    /** What table_rules() in classifier.bpf.c computes, step by step. */
    private static int lookup(PrefixMatch.Table t, long x) {
        PrefixMatch.BlockIndex index = t.blockIndex();
        if (Long.compareUnsigned(x, index.regionLo()) < 0) {
            return 0;
        }
        if (Long.compareUnsigned(x, index.regionHi()) > 0) {
            return t.used() - 1;
        }
        int e = index.blocks()[(int) (((x - index.regionLo()) >>> index.shift()) & (PrefixTableLayout.BLOCKS - 1))] & 0xff;
        if (e < PrefixTableLayout.REFINE) {
            return e;
        }
        int i = 0;
        for (int step = PrefixTableLayout.BOUNDS / 2; step > 0; step >>= 1) {
            if (step <= t.topStep() && Long.compareUnsigned(t.start()[i + step], x) <= 0) {
                i += step;
            }
        }
        return i;
    }

    private static int scan(PrefixMatch.Table t, long x) {
        int i = 0;
        while (i + 1 < t.used() && Long.compareUnsigned(t.start()[i + 1], x) <= 0) {
            i++;
        }
        return i;
    }

    /** 1-12 prefixes, often nested or sharing leading bits, sometimes the whole space. */
    private static Map<IpPrefix, Long> randomPrefixes(Random rnd, int version) {
        Map<IpPrefix, Long> out = new LinkedHashMap<>();
        int n = 1 + rnd.nextInt(12);
        long base = rnd.nextLong();
        for (int i = 0; i < n; i++) {
            int maxLength = version == 4 ? 32 : 64;
            int length = rnd.nextInt(8) == 0 ? 0 : 1 + rnd.nextInt(maxLength);
            // Half the prefixes share the set's leading bits, so regions are narrow as well as wide.
            long bits = rnd.nextBoolean() ? base ^ (rnd.nextLong() >>> (8 + rnd.nextInt(40))) : rnd.nextLong();
            byte[] address = new byte[version == 4 ? 4 : 16];
            for (int b = 0; b < Math.min(address.length, 8); b++) {
                address[b] = (byte) (bits >>> (56 - 8 * b));
            }
            out.put(new IpPrefix(masked(address, length), length), 1L << i);
        }
        return out;
    }

    private static byte[] masked(byte[] address, int length) {
        byte[] a = address.clone();
        for (int bit = length; bit < a.length * 8; bit++) {
            a[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return a;
    }
}
