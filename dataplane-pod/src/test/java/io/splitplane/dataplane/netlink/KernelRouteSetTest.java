package io.splitplane.dataplane.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The compact route set against a plain model: best metric per prefix through random puts and removes. */
class KernelRouteSetTest {

    @Test
    void keysAndEntriesRoundTrip() {
        long key = KernelRouteSet.key(0xC0A80100, 24);
        assertEquals(0xC0A80100, KernelRouteSet.prefixOf(key));
        assertEquals(24, KernelRouteSet.lengthOf(key));
        long e = KernelRouteSet.entry(-2, KernelRouteSet.NEXTHOP_REF | 77);
        assertEquals(-2, KernelRouteSet.metricOf(e));
        assertEquals(KernelRouteSet.NEXTHOP_REF | 77, KernelRouteSet.refOf(e));
    }

    @Test
    void theLowestUnsignedMetricWinsThroughRandomChanges() {
        KernelRouteSet set = new KernelRouteSet();
        Map<Long, TreeMap<Long, Integer>> model = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(5);
        int[] metrics = {0, 20, 100, -1}; // -1 is 0xffffffff: the largest, compared unsigned
        for (int i = 0; i < 50_000; i++) {
            long key = KernelRouteSet.key(rnd.nextInt(64) << 8, 24);
            int metric = metrics[rnd.nextInt(metrics.length)];
            long unsigned = metric & 0xFFFF_FFFFL;
            if (rnd.nextInt(3) == 0) {
                boolean had = model.containsKey(key) && model.get(key).remove(unsigned) != null;
                assertEquals(had, set.remove(key, metric));
            } else {
                int ref = 1 + rnd.nextInt(1000);
                set.put(key, metric, ref);
                model.computeIfAbsent(key, k -> new TreeMap<>()).put(unsigned, ref);
            }
            model.entrySet().removeIf(en -> en.getValue().isEmpty());
            TreeMap<Long, Integer> routes = model.get(key);
            long best = set.best(key);
            if (routes == null) {
                assertEquals(KernelRouteSet.NONE, best);
            } else {
                assertEquals(routes.firstKey(), KernelRouteSet.metricOf(best) & 0xFFFF_FFFFL);
                assertEquals(routes.firstEntry().getValue(), KernelRouteSet.refOf(best));
            }
        }
        assertEquals(model.size(), set.size());
    }

    @Test
    void removeRefDropsEveryEntryNamingIt() {
        KernelRouteSet set = new KernelRouteSet();
        long key = KernelRouteSet.key(0x0A000000, 8);
        set.put(key, 10, KernelRouteSet.NEXTHOP_REF | 5);
        set.put(key, 20, 1234);
        set.put(key, 30, KernelRouteSet.NEXTHOP_REF | 5);
        assertTrue(set.removeRef(key, KernelRouteSet.NEXTHOP_REF | 5));
        assertEquals(KernelRouteSet.entry(20, 1234), set.best(key));
        assertFalse(set.removeRef(key, KernelRouteSet.NEXTHOP_REF | 5));
        assertTrue(set.removeRef(key, 1234));
        assertFalse(set.containsKey(key));
    }
}
