package io.splitplane.dataplane.fib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.fib.EcmpGroupTable.Member;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * ECMP over random flows: spread by weight, one member per flow, and what a group replace keeps.
 * Guarantee under test (see {@link EcmpGroupTable}): a replace moves only the flows whose bucket
 * changes hands: none when nothing changes, only the removed member's when one goes, only about
 * {@code 1/(n+1)} (all to the newcomer) when one comes.
 */
class EcmpGroupTableTest {
    private static final int FLOWS = 100_000;
    private static final int GROUP = 1;

    /** 100k random 5-tuple hashes. */
    private static int[] flows(final long seed) {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final int[] hashes = new int[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            hashes[i] = FlowHash.ip4(rnd.nextInt(), rnd.nextInt(), rnd.nextBoolean() ? 17 : 6,
                    rnd.nextInt(65536), rnd.nextInt(65536));
        }
        return hashes;
    }

    private static Member[] equal(final int... ids) {
        final Member[] m = new Member[ids.length];
        for (int i = 0; i < ids.length; i++) {
            m[i] = Member.of(ids[i]);
        }
        return m;
    }

    private static Map<Integer, Integer> spread(final EcmpGroupTable groups, final int[] hashes) {
        final Map<Integer, Integer> counts = new HashMap<>();
        for (final int h : hashes) {
            counts.merge(groups.select(GROUP, h), 1, Integer::sum);
        }
        return counts;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void shouldSpreadFlowsEvenlyOverEqualMembers(final int n) {
        final EcmpGroupTable groups = new EcmpGroupTable();
        final int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 10 + i;
        }
        groups.add(GROUP, equal(ids));
        final Map<Integer, Integer> counts = spread(groups, flows(n));
        assertEquals(n, counts.size(), "every member used, only members used: " + counts);
        final double expected = (double) FLOWS / n;
        for (final int id : ids) {
            final double share = counts.get(id) / expected;
            // Bucket rounding is at most 1/256 of the flows (3 members: 86/85/85 buckets, +0.8%),
            // the sampling noise about 0.6%: 3% is wide enough never to flake and tight enough to
            // catch a biased hash or assignment.
            assertEquals(1.0, share, 0.03, "member " + id + " of " + n + ": " + counts);
        }
    }

    @Test
    void shouldSpreadByWeight() {
        final EcmpGroupTable groups = new EcmpGroupTable();
        groups.add(GROUP, Member.of(1, 1), Member.of(2, 3));
        final Map<Integer, Integer> counts = spread(groups, flows(13));
        assertEquals(0.25, counts.get(1) / (double) FLOWS, 0.01, counts.toString());
        assertEquals(0.75, counts.get(2) / (double) FLOWS, 0.01, counts.toString());
        final int[] buckets = groups.buckets(GROUP).orElseThrow();
        int ones = 0;
        for (final int b : buckets) {
            ones += b == 1 ? 1 : 0;
        }
        assertEquals(buckets.length / 4, ones, "1:3 is exact in a power-of-two table");
    }

    @Test
    void shouldKeepTinyWeightsReachable() {
        final EcmpGroupTable groups = new EcmpGroupTable();
        groups.add(GROUP, Member.of(1, 65536), Member.of(2, 1));
        final int[] buckets = groups.buckets(GROUP).orElseThrow();
        int twos = 0;
        for (final int b : buckets) {
            twos += b == 2 ? 1 : 0;
        }
        assertEquals(1, twos);
    }

    @Test
    void shouldKeepEachFlowOnOneMember() {
        final EcmpGroupTable groups = new EcmpGroupTable();
        groups.add(GROUP, equal(1, 2, 3, 4));
        final SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < FLOWS; i++) {
            final int src = rnd.nextInt();
            final int dst = rnd.nextInt();
            final int sport = rnd.nextInt(65536);
            final int dport = rnd.nextInt(65536);
            final int first = groups.select(GROUP, FlowHash.ip4(src, dst, 17, sport, dport));
            for (int again = 0; again < 3; again++) {
                assertEquals(first, groups.select(GROUP, FlowHash.ip4(src, dst, 17, sport, dport)));
            }
        }
    }

    @Test
    void shouldMoveNoFlowWhenReplacedWithTheSameMembers() {
        final EcmpGroupTable groups = new EcmpGroupTable();
        groups.add(GROUP, Member.of(1, 2), Member.of(2, 1), Member.of(3, 1));
        final int[] before = groups.buckets(GROUP).orElseThrow();
        groups.replace(GROUP, Member.of(3, 1), Member.of(1, 2), Member.of(2, 1)); // another order
        assertArrayEquals(before, groups.buckets(GROUP).orElseThrow());
    }

    @Test
    void shouldMoveOnlyTheRemovedMembersFlows() {
        final EcmpGroupTable groups = new EcmpGroupTable();
        groups.add(GROUP, equal(1, 2, 3, 4));
        final int[] hashes = flows(17);
        final int[] before = new int[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            before[i] = groups.select(GROUP, hashes[i]);
        }
        groups.replace(GROUP, equal(1, 2, 4));
        final Map<Integer, Integer> movedTo = new HashMap<>();
        for (int i = 0; i < FLOWS; i++) {
            final int after = groups.select(GROUP, hashes[i]);
            if (before[i] != 3) {
                assertEquals(before[i], after, "flow on a remaining member moved");
            } else {
                assertNotEquals(3, after);
                movedTo.merge(after, 1, Integer::sum);
            }
        }
        assertEquals(3, movedTo.size(), "the removed member's flows spread over all the others: " + movedTo);
        final Map<Integer, Integer> counts = spread(groups, hashes);
        for (final int id : new int[] {1, 2, 4}) {
            assertEquals(1.0, counts.get(id) / (FLOWS / 3.0), 0.03, counts.toString());
        }
    }

    @Test
    void shouldMoveOnlyAFairShareToAnAddedMember() {
        final EcmpGroupTable groups = new EcmpGroupTable();
        groups.add(GROUP, equal(1, 2, 3));
        final int[] hashes = flows(19);
        final int[] before = new int[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            before[i] = groups.select(GROUP, hashes[i]);
        }
        groups.replace(GROUP, equal(1, 2, 3, 4));
        int moved = 0;
        for (int i = 0; i < FLOWS; i++) {
            final int after = groups.select(GROUP, hashes[i]);
            if (after != before[i]) {
                assertEquals(4, after, "a flow moved to an old member");
                moved++;
            }
        }
        assertEquals(0.25, moved / (double) FLOWS, 0.015, "moved flows");
    }

    @Test
    void shouldKeepFlowsWhenTheBucketTableGrows() {
        final EcmpGroupTable groups = new EcmpGroupTable();
        final int[] nine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        groups.add(GROUP, equal(nine));
        assertEquals(512, groups.buckets(GROUP).orElseThrow().length);
        final int[] hashes = flows(23);
        final int[] before = new int[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            before[i] = groups.select(GROUP, hashes[i]);
        }
        final int[] seventeen = new int[17];
        for (int i = 0; i < 17; i++) {
            seventeen[i] = i + 1;
        }
        groups.replace(GROUP, equal(seventeen));
        assertEquals(1024, groups.buckets(GROUP).orElseThrow().length);
        int moved = 0;
        for (int i = 0; i < FLOWS; i++) {
            final int after = groups.select(GROUP, hashes[i]);
            if (after != before[i]) {
                assertTrue(after > 9, "a flow moved between old members");
                moved++;
            }
        }
        assertEquals(8.0 / 17, moved / (double) FLOWS, 0.02, "moved flows");
    }

    @Test
    void shouldAnswerZeroForUnknownOrRemovedGroups() {
        final EcmpGroupTable groups = new EcmpGroupTable(100);
        assertEquals(0, groups.select(5, 123));
        assertEquals(0, groups.select(-1, 123));
        assertEquals(0, groups.select(Integer.MAX_VALUE, 123));
        groups.add(5, equal(1, 2));
        assertTrue(groups.select(5, 123) > 0);
        assertFalse(groups.add(5, equal(3)), "add does not replace");
        assertTrue(groups.remove(5));
        assertFalse(groups.remove(5));
        assertEquals(0, groups.select(5, 123));
        assertEquals(0, groups.size());
    }

    @Test
    void shouldRejectCallerBugs() {
        final EcmpGroupTable groups = new EcmpGroupTable(100);
        assertThrows(IllegalArgumentException.class, () -> groups.add(1));
        assertThrows(IllegalArgumentException.class, () -> groups.add(1, Member.of(1), Member.of(1)));
        assertThrows(IllegalArgumentException.class, () -> groups.add(0, Member.of(1)));
        assertThrows(IllegalArgumentException.class, () -> groups.add(101, Member.of(1)));
        assertThrows(IllegalArgumentException.class, () -> Member.of(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Member.of(0, 1));
    }
}
