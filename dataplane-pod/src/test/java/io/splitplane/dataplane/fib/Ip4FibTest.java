package io.splitplane.dataplane.fib;

import static io.splitplane.dataplane.fib.Ip4.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Ip4FibTest {
    private static final int NH1 = FibResult.nextHop(1);
    private static final int NH2 = FibResult.nextHop(2);
    private static final int NH3 = FibResult.nextHop(3);
    private static final int NH4 = FibResult.nextHop(4);

    private final Quiescence quiescence = new Quiescence(4);
    private final Ip4Fib fib = new Ip4Fib(quiescence, 2, 1 << 16);

    @AfterEach
    void close() {
        fib.close();
    }

    private int lookup(final String address) {
        return fib.lookup(parse(address));
    }

    @Test
    void shouldAnswerNoRouteWhenEmpty() {
        assertEquals(FibResult.NO_ROUTE, lookup("0.0.0.0"));
        assertEquals(FibResult.NO_ROUTE, lookup("10.1.2.3"));
        assertEquals(FibResult.NO_ROUTE, lookup("255.255.255.255"));
        assertEquals(0, fib.routeCount());
    }

    @Test
    void shouldUseDefaultRouteForEverythingElse() {
        assertTrue(fib.addRoute(0, 0, NH1));
        assertEquals(NH1, lookup("0.0.0.0"));
        assertEquals(NH1, lookup("255.255.255.255"));
        assertEquals(NH1, lookup("192.0.2.77"));
        fib.addRoute(parse("10.0.0.0"), 8, NH2);
        assertEquals(NH2, lookup("10.200.0.1"));
        assertEquals(NH1, lookup("11.0.0.0"));
        assertEquals(NH1, fib.removeRoute(0, 0));
        assertEquals(FibResult.NO_ROUTE, lookup("11.0.0.0"));
        assertEquals(NH2, lookup("10.200.0.1"));
    }

    @Test
    void shouldChangeTheDefaultRouteInOneStore() {
        fib.addRoute(parse("10.1.1.0"), 25, NH2);
        final long writes = fib.entryWrites();
        fib.addRoute(0, 0, NH1);
        fib.replaceRoute(0, 0, NH3);
        assertEquals(writes, fib.entryWrites(), "no table entry rewritten for the /0");
        assertEquals(NH3, lookup("10.1.1.200"), "inside a tbl8 group, outside the /25");
        assertEquals(NH2, lookup("10.1.1.1"));
        assertEquals(NH3, lookup("172.16.0.1"));
        fib.addRoute(parse("10.0.0.0"), 8, NH4);
        fib.removeRoute(parse("10.0.0.0"), 8);
        assertEquals(NH3, lookup("10.2.0.0"), "removing a /8 falls back to the default");
        assertEquals(NH3, fib.removeRoute(0, 0));
        assertEquals(FibResult.NO_ROUTE, lookup("10.1.1.200"));
        assertEquals(NH2, lookup("10.1.1.1"));
    }

    @Test
    void shouldMatchHostRoutesExactly() {
        fib.addRoute(parse("10.1.1.0"), 24, NH1);
        fib.addRoute(parse("10.1.1.7"), 32, NH2);
        assertEquals(NH2, lookup("10.1.1.7"));
        assertEquals(NH1, lookup("10.1.1.6"));
        assertEquals(NH1, lookup("10.1.1.8"));
        fib.addRoute(parse("255.255.255.255"), 32, NH3);
        fib.addRoute(parse("0.0.0.0"), 32, NH4);
        assertEquals(NH3, lookup("255.255.255.255"));
        assertEquals(FibResult.NO_ROUTE, lookup("255.255.255.254"));
        assertEquals(NH4, lookup("0.0.0.0"));
        assertEquals(FibResult.NO_ROUTE, lookup("0.0.0.1"));
    }

    @Test
    void shouldPreferLongestOfOverlappingPrefixesWhateverTheOrder() {
        // Specific first, then covering: the covering one must not overwrite the specific entries.
        fib.addRoute(parse("10.1.2.128"), 25, NH3);
        fib.addRoute(parse("10.1.2.0"), 24, NH2);
        fib.addRoute(parse("10.0.0.0"), 8, NH1);
        fib.addRoute(parse("10.1.2.192"), 26, NH4);
        assertEquals(NH1, lookup("10.1.1.255"));
        assertEquals(NH2, lookup("10.1.2.127"));
        assertEquals(NH3, lookup("10.1.2.128"));
        assertEquals(NH3, lookup("10.1.2.191"));
        assertEquals(NH4, lookup("10.1.2.192"));
        assertEquals(NH4, lookup("10.1.2.255"));
        assertEquals(NH1, lookup("10.1.3.0"));
    }

    @Test
    void shouldRestoreNextShorterPrefixWhenCoveringRouteIsDeleted() {
        fib.addRoute(parse("10.0.0.0"), 8, NH1);
        fib.addRoute(parse("10.1.0.0"), 16, NH2);
        fib.addRoute(parse("10.1.2.0"), 24, NH3);
        fib.addRoute(parse("10.1.2.64"), 27, NH4);

        assertEquals(NH3, fib.removeRoute(parse("10.1.2.0"), 24));
        assertEquals(NH2, lookup("10.1.2.1"), "the /16 covers the /24's addresses again");
        assertEquals(NH4, lookup("10.1.2.65"), "the /27 is untouched");
        assertEquals(NH2, fib.removeRoute(parse("10.1.0.0"), 16));
        assertEquals(NH1, lookup("10.1.2.1"));
        assertEquals(NH1, lookup("10.1.200.1"));
        assertEquals(NH4, lookup("10.1.2.95"));
        assertEquals(NH4, fib.removeRoute(parse("10.1.2.64"), 27));
        assertEquals(NH1, lookup("10.1.2.65"), "the /8 fills the tbl8 group's former /27");
        assertEquals(NH1, fib.removeRoute(parse("10.0.0.0"), 8));
        assertEquals(FibResult.NO_ROUTE, lookup("10.1.2.65"));
        assertEquals(FibResult.NO_ROUTE, fib.removeRoute(parse("10.0.0.0"), 8), "removing twice");
    }

    @Test
    void shouldRestoreLongerCoveringPrefixInsideTbl8Group() {
        fib.addRoute(parse("10.1.2.0"), 25, NH1);
        fib.addRoute(parse("10.1.2.0"), 26, NH2);
        fib.addRoute(parse("10.1.2.0"), 30, NH3);
        assertEquals(NH3, lookup("10.1.2.3"));
        fib.removeRoute(parse("10.1.2.0"), 30);
        assertEquals(NH2, lookup("10.1.2.3"));
        fib.removeRoute(parse("10.1.2.0"), 26);
        assertEquals(NH1, lookup("10.1.2.3"));
        assertEquals(NH1, lookup("10.1.2.127"));
        assertEquals(FibResult.NO_ROUTE, lookup("10.1.2.128"));
    }

    @Test
    void shouldReplaceTargetsInPlace() {
        fib.addRoute(parse("10.0.0.0"), 8, NH1);
        fib.addRoute(parse("10.1.0.0"), 16, NH2);
        fib.addRoute(parse("10.1.1.1"), 32, NH2);
        assertFalse(fib.addRoute(parse("10.0.0.0"), 8, NH3), "add does not replace");
        assertEquals(NH1, lookup("10.2.0.0"));
        assertEquals(NH1, fib.replaceRoute(parse("10.0.0.0"), 8, NH3));
        assertEquals(NH3, lookup("10.2.0.0"));
        assertEquals(NH2, lookup("10.1.0.0"), "a replace leaves more specific routes alone");
        assertEquals(NH2, fib.replaceRoute(parse("10.1.1.1"), 32, NH4));
        assertEquals(NH4, lookup("10.1.1.1"));
        assertEquals(NH2, lookup("10.1.1.2"));
        assertEquals(FibResult.NO_ROUTE, fib.replaceRoute(parse("192.0.2.0"), 24, NH1), "replace adds");
        assertEquals(NH1, lookup("192.0.2.9"));
    }

    @Test
    void shouldKeepEveryResultKindApart() {
        fib.addRoute(parse("10.0.0.1"), 32, FibResult.local(7));
        fib.addRoute(parse("10.0.1.0"), 24, FibResult.blackhole());
        fib.addRoute(parse("10.0.2.0"), 24, FibResult.unreachable());
        fib.addRoute(parse("10.0.3.0"), 24, FibResult.prohibit());
        fib.addRoute(parse("10.0.4.0"), 24, FibResult.group(9));
        fib.addRoute(parse("10.0.5.0"), 24, FibResult.punt());
        fib.addRoute(parse("10.0.6.0"), 24, FibResult.nextHop(FibResult.MAX_ID));

        assertEquals(FibResult.KIND_LOCAL, FibResult.kind(lookup("10.0.0.1")));
        assertEquals(7, FibResult.id(lookup("10.0.0.1")));
        assertEquals(FibResult.KIND_NO_ROUTE, FibResult.kind(lookup("10.0.0.2")));
        assertEquals(FibResult.KIND_BLACKHOLE, FibResult.kind(lookup("10.0.1.1")));
        assertEquals(FibResult.KIND_UNREACHABLE, FibResult.kind(lookup("10.0.2.1")));
        assertEquals(FibResult.KIND_PROHIBIT, FibResult.kind(lookup("10.0.3.1")));
        assertTrue(FibResult.isDrop(lookup("10.0.3.1")));
        assertFalse(FibResult.isDrop(lookup("10.0.4.1")));
        assertEquals(FibResult.KIND_GROUP, FibResult.kind(lookup("10.0.4.1")));
        assertEquals(9, FibResult.id(lookup("10.0.4.1")));
        assertEquals(FibResult.KIND_PUNT, FibResult.kind(lookup("10.0.5.1")));
        assertEquals(FibResult.MAX_ID, FibResult.id(lookup("10.0.6.1")));
        assertEquals(FibResult.KIND_NEXT_HOP, FibResult.kind(lookup("10.0.6.1")));
    }

    @Test
    void shouldFreeTbl8GroupWithItsLastLongRouteAndReuseItOnlyAfterQuiescence() {
        try (Quiescence.Reader worker = quiescence.register()) {
            fib.addRoute(parse("10.1.1.0"), 24, NH1);
            fib.addRoute(parse("10.1.1.128"), 25, NH2);
            fib.addRoute(parse("10.1.1.192"), 26, NH3);
            final int group = fib.tbl8GroupOf(parse("10.1.1.0"));
            assertTrue(group >= 0);
            assertEquals(1, fib.tbl8GroupsInUse());

            fib.removeRoute(parse("10.1.1.128"), 25);
            assertEquals(group, fib.tbl8GroupOf(parse("10.1.1.0")), "a long route is left: the group stays");
            fib.removeRoute(parse("10.1.1.192"), 26);
            assertEquals(-1, fib.tbl8GroupOf(parse("10.1.1.0")), "the last long route is gone: back in tbl24");
            assertEquals(NH1, lookup("10.1.1.200"));
            assertEquals(0, fib.tbl8GroupsInUse());
            assertEquals(1, fib.tbl8GroupsAwaitingGrace());

            // The worker has not passed a quiescent point: the group must not be handed out again.
            fib.addRoute(parse("10.2.2.0"), 25, NH2);
            final int second = fib.tbl8GroupOf(parse("10.2.2.0"));
            assertNotEquals(group, second);
            assertEquals(1, fib.tbl8GroupsAwaitingGrace());

            worker.quiescent();
            fib.addRoute(parse("10.3.3.0"), 25, NH3);
            assertEquals(group, fib.tbl8GroupOf(parse("10.3.3.0")), "reused once the worker was quiescent");
            assertEquals(0, fib.tbl8GroupsAwaitingGrace());
            assertEquals(NH3, lookup("10.3.3.1"));
            assertEquals(FibResult.NO_ROUTE, lookup("10.3.3.129"));
            assertEquals(NH1, lookup("10.1.1.129"));
        }
    }

    @Test
    void shouldNotWaitForOfflineWorkers() {
        try (Quiescence.Reader worker = quiescence.register()) {
            worker.offline();
            fib.addRoute(parse("10.1.1.0"), 25, NH1);
            final int group = fib.tbl8GroupOf(parse("10.1.1.0"));
            fib.removeRoute(parse("10.1.1.0"), 25);
            fib.addRoute(parse("10.2.2.0"), 25, NH1);
            assertEquals(group, fib.tbl8GroupOf(parse("10.2.2.0")));
        }
    }

    @Test
    void shouldGrowTbl8PoolAndKeepContents() {
        assertEquals(2, fib.tbl8Capacity());
        for (int i = 0; i < 100; i++) {
            fib.addRoute(parse("10.0.0.0") | i << 8 | 0x80, 25, FibResult.nextHop(i + 1));
        }
        assertTrue(fib.tbl8Capacity() >= 100);
        assertEquals(100, fib.tbl8GroupsInUse());
        for (int i = 0; i < 100; i++) {
            assertEquals(FibResult.nextHop(i + 1), fib.lookup(parse("10.0.0.0") | i << 8 | 0x81));
            assertEquals(FibResult.NO_ROUTE, fib.lookup(parse("10.0.0.0") | i << 8 | 0x7F));
        }
        assertTrue(quiescence.awaitQuiescence(1_000_000_000L), "old pools unmapped");
    }

    @Test
    void shouldRefuseRoutesBeyondTheTbl8Maximum() {
        try (Ip4Fib small = new Ip4Fib(quiescence, 1, 2)) {
            small.addRoute(parse("10.0.1.0"), 25, NH1);
            small.addRoute(parse("10.0.2.0"), 25, NH1);
            small.addRoute(parse("10.0.2.128"), 25, NH2);
            final IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> small.addRoute(parse("10.0.3.0"), 25, NH1));
            assertTrue(e.getMessage().contains("maxTbl8Groups=2"), e.getMessage());
            assertEquals(FibResult.NO_ROUTE, small.route(parse("10.0.3.0"), 25), "nothing half-added");
            assertEquals(3, small.routeCount());
            assertEquals(FibResult.NO_ROUTE, small.lookup(parse("10.0.3.1")));
            small.addRoute(parse("10.0.3.0"), 24, NH2);
            assertEquals(NH2, small.lookup(parse("10.0.3.1")), "routes up to /24 need no group");
        }
    }

    @Test
    void shouldRejectCallerBugs() {
        assertThrows(IllegalArgumentException.class, () -> fib.addRoute(parse("10.0.0.1"), 24, NH1), "host bits");
        assertThrows(IllegalArgumentException.class, () -> fib.addRoute(0, 33, NH1));
        assertThrows(IllegalArgumentException.class, () -> fib.addRoute(0, -1, NH1));
        assertThrows(IllegalArgumentException.class, () -> fib.addRoute(0, 0, FibResult.NO_ROUTE));
        assertThrows(IllegalArgumentException.class, () -> fib.addRoute(0, 0, 0x8000_0001), "tbl8 flag");
        assertThrows(IllegalArgumentException.class, () -> fib.removeRoute(parse("10.0.0.1"), 8));
        assertThrows(IllegalArgumentException.class, () -> FibResult.nextHop(-1));
        assertThrows(IllegalArgumentException.class, () -> FibResult.nextHop(FibResult.MAX_ID + 1));
        assertEquals(0, fib.routeCount());
    }

    @Test
    void shouldListRoutesForShowCommands() {
        fib.addRoute(parse("10.1.2.0"), 24, NH3);
        fib.addRoute(parse("10.0.0.0"), 8, NH1);
        fib.addRoute(parse("192.168.0.0"), 16, FibResult.local(1));
        fib.addRoute(parse("10.1.2.128"), 25, NH4);
        assertEquals(List.of(
                new FibRoute(parse("10.0.0.0"), 8, NH1),
                new FibRoute(parse("10.1.2.0"), 24, NH3),
                new FibRoute(parse("10.1.2.128"), 25, NH4),
                new FibRoute(parse("192.168.0.0"), 16, FibResult.local(1))), fib.routes());
        assertEquals("10.1.2.128/25 next-hop 4", fib.longestMatch(parse("10.1.2.200")).orElseThrow().toString());
        assertEquals("10.0.0.0/8 next-hop 1", fib.longestMatch(parse("10.9.9.9")).orElseThrow().toString());
        assertTrue(fib.longestMatch(parse("11.0.0.0")).isEmpty());
        assertEquals(2, fib.routesWithin(parse("10.1.0.0"), 16).size());
        assertEquals(NH3, fib.route(parse("10.1.2.0"), 24));
        assertEquals(FibResult.NO_ROUTE, fib.route(parse("10.1.2.0"), 23));
    }

    @Test
    void shouldSweepRoutesAResyncDidNotConfirm() {
        fib.addRoute(parse("10.0.0.0"), 8, NH1);
        fib.addRoute(parse("10.1.0.0"), 16, NH2);
        fib.addRoute(parse("10.1.1.128"), 25, NH3);
        fib.addRoute(parse("10.2.0.0"), 16, NH4);
        fib.markAllStale();
        assertEquals(4, fib.staleCount());
        assertEquals(NH2, lookup("10.1.0.1"), "marking changes no lookup");
        // The dump brings back the /8 unchanged, the /25 with a new target, and a new /24.
        fib.replaceRoute(parse("10.0.0.0"), 8, NH1);
        fib.replaceRoute(parse("10.1.1.128"), 25, NH4);
        fib.replaceRoute(parse("10.3.3.0"), 24, NH2);
        assertEquals(2, fib.staleCount());
        assertEquals(2, fib.sweepStale());
        assertEquals(3, fib.routeCount());
        assertEquals(NH1, lookup("10.1.0.1"));
        assertEquals(NH4, lookup("10.1.1.129"));
        assertEquals(NH1, lookup("10.2.0.1"));
        assertEquals(NH2, lookup("10.3.3.3"));
        assertEquals(0, fib.staleCount());
    }

    @Test
    void shouldBulkLoad() {
        final int n = 5000;
        final int[] prefixes = new int[n];
        final int[] lengths = new int[n];
        final int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            prefixes[i] = parse("20.0.0.0") + (i << 8);
            lengths[i] = 24;
            targets[i] = FibResult.nextHop(1 + i % 100);
        }
        fib.bulkLoad(prefixes, lengths, targets, n);
        assertEquals(n, fib.routeCount());
        for (int i = 0; i < n; i++) {
            assertEquals(targets[i], fib.lookup(prefixes[i] + 99));
        }
        lengths[7] = 33;
        assertThrows(IllegalArgumentException.class, () -> fib.bulkLoad(prefixes, lengths, targets, n));
    }

    @Test
    void shouldRefuseUseAfterClose() {
        final Ip4Fib closed = new Ip4Fib(quiescence);
        closed.addRoute(0, 0, NH1);
        closed.close();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.lookup(1));
        assertThrows(IllegalStateException.class, () -> closed.addRoute(0, 1, NH1));
    }

    @Test
    void shouldReportMemory() {
        assertEquals(64L << 20, Ip4Fib.TBL24_BYTES);
        assertTrue(fib.offHeapBytes() >= (80L << 20));
        assertTrue(fib.heapBytes() > 0);
    }
}
