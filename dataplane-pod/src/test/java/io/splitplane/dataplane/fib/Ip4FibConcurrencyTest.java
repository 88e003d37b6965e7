package io.splitplane.dataplane.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A worker thread looks up addresses while the control thread flips routes between two next hops,
 * adds and removes longer-than-/24 routes (so tbl8 groups are allocated, freed and reused all the
 * time) and grows the tbl8 pool from 2 groups. Every /24 block has its own next-hop ids, so a worker
 * that read a group after it was reused for another block, a torn entry, a half-filled group or a
 * stale pool would see an id that is not valid for its address. It must never.
 */
class Ip4FibConcurrencyTest {
    private static final int BLOCKS = 64;
    private static final int BASE = Ip4.parse("10.0.0.0");
    private static final long RUN_NS = TimeUnit.SECONDS.toNanos(2);

    // Per block k: the /24 flips between A and B, the /26 at .64 between C and D.
    private static int a(final int k) {
        return FibResult.nextHop(1000 + 4 * k);
    }

    private static int b(final int k) {
        return FibResult.nextHop(1001 + 4 * k);
    }

    private static int c(final int k) {
        return FibResult.nextHop(1002 + 4 * k);
    }

    private static int d(final int k) {
        return FibResult.nextHop(1003 + 4 * k);
    }

    private static int block(final int k) {
        return BASE | k << 8;
    }

    @Test
    void shouldOnlyEverSeeValidTargetsWhileRoutesChange() throws Exception {
        final Quiescence quiescence = new Quiescence(4);
        try (Ip4Fib fib = new Ip4Fib(quiescence, 2, 1 << 16)) {
            for (int k = 0; k < BLOCKS; k++) {
                fib.addRoute(block(k), 24, a(k));
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<String> failure = new AtomicReference<>();
            final AtomicLong lookups = new AtomicLong();
            final AtomicLong longHits = new AtomicLong();
            final CountDownLatch started = new CountDownLatch(1);

            final Thread worker = new Thread(() -> {
                try (Quiescence.Reader reader = quiescence.register()) {
                    started.countDown();
                    final SplittableRandom rnd = new SplittableRandom(7);
                    final int[] blocks = new int[64];
                    final int[] addresses = new int[64];
                    final int[] results = new int[64];
                    long n = 0;
                    long inLong = 0;
                    boolean batch = false;
                    while (!stop.get() && failure.get() == null) {
                        for (int i = 0; i < 64; i++) {
                            blocks[i] = rnd.nextInt(BLOCKS);
                            addresses[i] = block(blocks[i]) | rnd.nextInt(256);
                        }
                        // Alternate the two lookup paths (single: acquire loads; batch: plain loads
                        // and an acquire fence).
                        if (batch) {
                            fib.lookupBatch(addresses, results, 64);
                        } else {
                            for (int i = 0; i < 64; i++) {
                                results[i] = fib.lookup(addresses[i]);
                            }
                        }
                        batch = !batch;
                        for (int i = 0; i < 64; i++) {
                            final int k = blocks[i];
                            final int host = addresses[i] & 0xFF;
                            final int r = results[i];
                            final boolean underLong = host >= 64 && host < 128;
                            final boolean valid = r == a(k) || r == b(k) || underLong && (r == c(k) || r == d(k));
                            if (!valid) {
                                failure.compareAndSet(null, "lookup " + Ip4.toString(addresses[i]) + " gave "
                                        + FibResult.toString(r) + ", valid: " + FibResult.toString(a(k)) + "/"
                                        + FibResult.toString(b(k)) + (underLong ? "/" + FibResult.toString(c(k)) + "/"
                                        + FibResult.toString(d(k)) : ""));
                            }
                            if (r == c(k) || r == d(k)) {
                                inLong++;
                            }
                        }
                        n += 64;
                        reader.quiescent();
                    }
                    lookups.set(n);
                    longHits.set(inLong);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t.toString());
                }
            }, "fib-worker");
            worker.start();
            assertTrue(started.await(10, TimeUnit.SECONDS));

            final SplittableRandom rnd = new SplittableRandom(11);
            final boolean[] longPresent = new boolean[BLOCKS];
            long updates = 0;
            final long deadline = System.nanoTime() + RUN_NS;
            while (System.nanoTime() - deadline < 0 && failure.get() == null) {
                final int k = rnd.nextInt(BLOCKS);
                switch (rnd.nextInt(4)) {
                    case 0 -> fib.replaceRoute(block(k), 24, rnd.nextBoolean() ? a(k) : b(k));
                    case 1 -> {
                        fib.replaceRoute(block(k) | 64, 26, rnd.nextBoolean() ? c(k) : d(k));
                        longPresent[k] = true;
                    }
                    default -> {
                        if (longPresent[k]) {
                            fib.removeRoute(block(k) | 64, 26);
                            longPresent[k] = false;
                        } else {
                            fib.addRoute(block(k) | 64, 26, c(k));
                            longPresent[k] = true;
                        }
                    }
                }
                updates++;
            }
            stop.set(true);
            worker.join(10_000);
            assertNull(failure.get());
            assertTrue(lookups.get() > 100_000, "the worker ran, lookups=" + lookups.get());
            assertTrue(longHits.get() > 0, "the worker saw tbl8 entries");
            assertTrue(updates > 10_000, "the writer ran, updates=" + updates);
            assertTrue(fib.tbl8Capacity() > 2, "the pool grew under the worker");
            assertTrue(quiescence.reclaimed() > 100, "groups were recycled, reclaimed=" + quiescence.reclaimed());
            assertTrue(quiescence.awaitQuiescence(TimeUnit.SECONDS.toNanos(1)));
            int present = 0;
            for (final boolean p : longPresent) {
                present += p ? 1 : 0;
            }
            assertEquals(present, fib.tbl8GroupsInUse());
        }
    }

    @Test
    void shouldOnlyEverSeeOldOrNewGroupMembersWhileGroupsChange() throws Exception {
        final EcmpGroupTable groups = new EcmpGroupTable();
        final int[] first = {1, 2, 3};
        final int[] second = {4, 5};
        groups.add(1, EcmpGroupTable.Member.of(1), EcmpGroupTable.Member.of(2), EcmpGroupTable.Member.of(3));
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<String> failure = new AtomicReference<>();
        final Thread worker = new Thread(() -> {
            final SplittableRandom rnd = new SplittableRandom(3);
            while (!stop.get()) {
                final int nh = groups.select(1, rnd.nextInt());
                if (nh < 1 || nh > 5) {
                    failure.compareAndSet(null, "select gave next hop " + nh);
                }
            }
        }, "ecmp-worker");
        worker.start();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        boolean flip = false;
        while (System.nanoTime() - deadline < 0) {
            final int[] ids = flip ? first : second;
            final EcmpGroupTable.Member[] m = new EcmpGroupTable.Member[ids.length];
            for (int i = 0; i < ids.length; i++) {
                m[i] = EcmpGroupTable.Member.of(ids[i]);
            }
            groups.replace(1, m);
            flip = !flip;
        }
        stop.set(true);
        worker.join(10_000);
        assertNull(failure.get());
    }
}
