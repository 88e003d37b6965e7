package io.splitplane.dataplane.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Longest-prefix match of the DIR-24-8 tables against a reference: 100k random prefixes of every
 * length (biased to a realistic /8-/32 mix with many longer than /24, so tbl8 groups are busy),
 * 100k+ random lookups plus the boundaries of every prefix, then deleting half, then replacing some,
 * then deleting the rest. The reference is a map per (prefix, length) probed from /32 down to /0, and
 * is itself checked against a linear scan on a sample.
 */
class Ip4FibLpmTest {
    private static final int PREFIXES = 100_000;
    private static final int RANDOM_LOOKUPS = 150_000;

    /** The reference: (length << 32 | prefix) → target. */
    private static final class Reference {
        final Map<Long, Integer> routes = new HashMap<>();

        static long key(final int prefix, final int length) {
            return ((long) length << 32) | (prefix & 0xFFFF_FFFFL);
        }

        int lookup(final int address) {
            for (int l = 32; l >= 0; l--) {
                final Integer target = routes.get(key(address & Ip4.mask(l), l));
                if (target != null) {
                    return target;
                }
            }
            return FibResult.NO_ROUTE;
        }

        /** Linear scan over every route (arrays from {@link #snapshot}): the longest containing one wins. */
        static int scan(final int[][] routes, final int address) {
            final int[] prefixes = routes[0];
            final int[] lengths = routes[1];
            final int[] targets = routes[2];
            int bestLength = -1;
            int best = FibResult.NO_ROUTE;
            for (int i = 0; i < prefixes.length; i++) {
                final int length = lengths[i];
                if (length > bestLength && (address & PrefixTable.mask(length)) == prefixes[i]) {
                    bestLength = length;
                    best = targets[i];
                }
            }
            return best;
        }

        /** {prefixes, lengths, targets}. */
        int[][] snapshot() {
            final int n = routes.size();
            final int[][] arrays = {new int[n], new int[n], new int[n]};
            int i = 0;
            for (final Map.Entry<Long, Integer> e : routes.entrySet()) {
                arrays[0][i] = (int) (long) e.getKey();
                arrays[1][i] = (int) (e.getKey() >>> 32);
                arrays[2][i] = e.getValue();
                i++;
            }
            return arrays;
        }

        /** /24 blocks that hold at least one route longer than /24 (each needs one tbl8 group). */
        int blocksWithLongRoutes() {
            final Set<Integer> blocks = new HashSet<>();
            for (final long key : routes.keySet()) {
                if ((key >>> 32) > 24) {
                    blocks.add((int) key >>> 8);
                }
            }
            return blocks.size();
        }
    }

    private record Prefix(int prefix, int length) {
    }

    /** Lengths as a table sees them: a few short, most /16-/24, a quarter longer than /24. */
    private static int randomLength(final SplittableRandom rnd) {
        final int r = rnd.nextInt(1000);
        if (r < 3) {
            return rnd.nextInt(8);          // 0..7: 0.3%
        } else if (r < 50) {
            return 8 + rnd.nextInt(8);      // 8..15: 4.7%
        } else if (r < 400) {
            return 16 + rnd.nextInt(8);     // 16..23: 35%
        } else if (r < 700) {
            return 24;                      // 30%
        }
        return 25 + rnd.nextInt(8);         // 25..32: 30%
    }

    private static int randomTarget(final SplittableRandom rnd) {
        final int r = rnd.nextInt(100);
        if (r < 80) {
            return FibResult.nextHop(1 + rnd.nextInt(FibResult.MAX_ID));
        } else if (r < 90) {
            return FibResult.group(1 + rnd.nextInt(1000));
        } else if (r < 94) {
            return FibResult.local(rnd.nextInt(16));
        } else if (r < 96) {
            return FibResult.blackhole();
        } else if (r < 98) {
            return FibResult.unreachable();
        } else if (r < 99) {
            return FibResult.prohibit();
        }
        return FibResult.punt();
    }

    @Test
    void shouldMatchReferenceThroughAddsDeletesAndReplaces() {
        final SplittableRandom rnd = new SplittableRandom(0x5EEDL);
        final Quiescence quiescence = new Quiescence(4);
        final Reference ref = new Reference();
        try (Ip4Fib fib = new Ip4Fib(quiescence, 64, 1 << 20)) {
            // ---- add 100k distinct prefixes ----
            final List<Prefix> installed = new ArrayList<>();
            while (installed.size() < PREFIXES) {
                final int length = randomLength(rnd);
                final int prefix = rnd.nextInt() & Ip4.mask(length);
                final int target = randomTarget(rnd);
                if (fib.addRoute(prefix, length, target)) {
                    ref.routes.put(Reference.key(prefix, length), target);
                    installed.add(new Prefix(prefix, length));
                } else {
                    assertEquals(ref.routes.get(Reference.key(prefix, length)), fib.route(prefix, length));
                }
            }
            assertEquals(PREFIXES, fib.routeCount());
            checkReferenceAgainstScan(ref, rnd);
            checkAll(fib, ref, installed, rnd, "after adds");
            assertEquals(ref.blocksWithLongRoutes(), fib.tbl8GroupsInUse(), "one tbl8 group per /24 with longer routes");

            // ---- delete a random half ----
            Collections.shuffle(installed, new Random(1));
            final List<Prefix> deleted = new ArrayList<>(installed.subList(0, PREFIXES / 2));
            final List<Prefix> kept = new ArrayList<>(installed.subList(PREFIXES / 2, PREFIXES));
            for (final Prefix p : deleted) {
                final int expected = ref.routes.remove(Reference.key(p.prefix(), p.length()));
                assertEquals(expected, fib.removeRoute(p.prefix(), p.length()), "removed target of " + p);
            }
            assertEquals(PREFIXES / 2, fib.routeCount());
            checkAll(fib, ref, kept, rnd, "after deleting half");
            checkBoundaries(fib, ref, deleted, "deleted prefixes' boundaries");
            assertEquals(ref.blocksWithLongRoutes(), fib.tbl8GroupsInUse(), "groups freed with their last long route");

            // ---- replace targets of 10k kept routes, re-add 10k deleted ones ----
            for (int i = 0; i < 10_000; i++) {
                final Prefix p = kept.get(i);
                final int target = randomTarget(rnd);
                final int previous = ref.routes.put(Reference.key(p.prefix(), p.length()), target);
                assertEquals(previous, fib.replaceRoute(p.prefix(), p.length(), target));
            }
            for (int i = 0; i < 10_000; i++) {
                final Prefix p = deleted.get(i);
                final int target = randomTarget(rnd);
                ref.routes.put(Reference.key(p.prefix(), p.length()), target);
                assertEquals(FibResult.NO_ROUTE, fib.replaceRoute(p.prefix(), p.length(), target));
                kept.add(p);
            }
            checkAll(fib, ref, kept, rnd, "after replaces");
            assertEquals(ref.blocksWithLongRoutes(), fib.tbl8GroupsInUse());

            // ---- delete everything ----
            for (final Prefix p : kept) {
                fib.removeRoute(p.prefix(), p.length());
                ref.routes.remove(Reference.key(p.prefix(), p.length()));
            }
            assertEquals(0, fib.routeCount());
            assertEquals(0, fib.tbl8GroupsInUse());
            for (int i = 0; i < 20_000; i++) {
                assertEquals(FibResult.NO_ROUTE, fib.lookup(rnd.nextInt()));
            }
            checkBoundaries(fib, ref, kept, "empty table");
            assertTrue(quiescence.awaitQuiescence(1_000_000_000L));
            assertEquals(0, fib.tbl8GroupsAwaitingGrace());
        }
    }

    private static void checkReferenceAgainstScan(final Reference ref, final SplittableRandom rnd) {
        final List<Long> keys = new ArrayList<>(ref.routes.keySet());
        final int[][] snapshot = ref.snapshot();
        for (int i = 0; i < 1_000; i++) {
            final long key = keys.get(rnd.nextInt(keys.size()));
            final int length = (int) (key >>> 32);
            final int address = (int) key | (rnd.nextInt() & ~Ip4.mask(length));
            assertEquals(Reference.scan(snapshot, address), ref.lookup(address), "reference vs linear scan at " + Ip4.toString(address));
            final int random = rnd.nextInt();
            assertEquals(Reference.scan(snapshot, random), ref.lookup(random), "reference vs linear scan at " + Ip4.toString(random));
        }
    }

    private static void checkAll(final Ip4Fib fib, final Reference ref, final List<Prefix> prefixes,
                                 final SplittableRandom rnd, final String phase) {
        // Uniformly random addresses: mostly short prefixes and misses.
        for (int i = 0; i < RANDOM_LOOKUPS; i++) {
            final int address = rnd.nextInt();
            assertLookup(fib, ref, address, phase);
        }
        // Random addresses inside random prefixes: hits at every depth, tbl8 included.
        for (int i = 0; i < RANDOM_LOOKUPS; i++) {
            final Prefix p = prefixes.get(rnd.nextInt(prefixes.size()));
            assertLookup(fib, ref, p.prefix() | (rnd.nextInt() & ~Ip4.mask(p.length())), phase);
        }
        checkBoundaries(fib, ref, prefixes, phase);
        // The batch path agrees with the single one.
        final int[] addresses = new int[256];
        final int[] results = new int[256];
        for (int i = 0; i < addresses.length; i++) {
            final Prefix p = prefixes.get(rnd.nextInt(prefixes.size()));
            addresses[i] = p.prefix() | (rnd.nextInt() & ~Ip4.mask(p.length()));
        }
        fib.lookupBatch(addresses, results, addresses.length);
        for (int i = 0; i < addresses.length; i++) {
            assertEquals(ref.lookup(addresses[i]), results[i], phase + ": batch lookup " + Ip4.toString(addresses[i]));
        }
    }

    /** First and last address of each prefix, and the addresses just outside it. */
    private static void checkBoundaries(final Ip4Fib fib, final Reference ref, final List<Prefix> prefixes,
                                        final String phase) {
        for (final Prefix p : prefixes) {
            final int first = p.prefix();
            final int last = p.prefix() | ~Ip4.mask(p.length());
            assertLookup(fib, ref, first, phase);
            assertLookup(fib, ref, last, phase);
            assertLookup(fib, ref, first - 1, phase);
            assertLookup(fib, ref, last + 1, phase);
        }
    }

    private static void assertLookup(final Ip4Fib fib, final Reference ref, final int address, final String phase) {
        final int expected = ref.lookup(address);
        final int actual = fib.lookup(address);
        if (expected != actual) {
            assertEquals(FibResult.toString(expected), FibResult.toString(actual),
                    phase + ": lookup " + Ip4.toString(address) + ", route set says "
                            + fib.longestMatch(address).map(FibRoute::toString).orElse("none"));
            assertEquals(expected, actual);
        }
    }
}
