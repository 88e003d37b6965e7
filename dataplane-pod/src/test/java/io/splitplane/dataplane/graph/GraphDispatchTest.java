package io.splitplane.dataplane.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.graph.Scripted.Call;
import io.splitplane.dataplane.graph.Scripted.Hop;
import io.splitplane.dataplane.graph.Scripted.Router;
import io.splitplane.dataplane.graph.Scripted.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** How {@link Graph#run()} orders node calls and moves packets along edges. */
class GraphDispatchTest {
    private final List<Call> log = new ArrayList<>();

    private static List<String> next(String... names) {
        List<String> l = new ArrayList<>();
        l.add(Node.DROP_NODE);
        l.addAll(List.of(names));
        return l;
    }

    private List<String> order() {
        return log.stream().map(Call::node).toList();
    }

    private List<Call> callsOf(String node) {
        return log.stream().filter(c -> c.node().equals(node)).toList();
    }

    private static long[] range(long first, int n) {
        return LongStream.range(first, first + n).toArray();
    }

    @Test
    void inputsInRegistrationOrderThenPendingNodesFirstComeFirstServed() {
        Source s1 = new Source("s1", next("a"), log, Router.all(1)).batch(100, 3);
        Source s2 = new Source("s2", next("b"), log, Router.all(1)).batch(200, 2);
        Hop a = new Hop("a", next("c"), log, Router.all(1));
        Hop b = new Hop("b", next("c"), log, Router.all(1));
        Hop c = new Hop("c", next(), log, (v, nx) -> Node.CONSUMED);
        // Registration order deliberately differs from the dispatch order of internal nodes.
        Graph g = Graph.builder("order").nodes(c, b, a, s1, s2).build();

        assertEquals(5, g.run());

        // s1, s2 polled; a became pending before b; c became pending (from a) and got b's packets merged.
        assertEquals(List.of("s1", "s2", "a", "b", "c"), order());
        assertArrayEquals(new long[] {100, 101, 102, 200, 201}, callsOf("c").getFirst().addrs());
        assertEquals(0, g.run(), "nothing left pending between runs");
        assertEquals(List.of("s1", "s2", "a", "b", "c"), order(), "no internal node runs without packets");
    }

    @Test
    void mixedEdgesScheduleTargetsInOrderOfTheirFirstPacket() {
        // Even addresses go to p, odd to q; the first packet is odd, so q is scheduled first.
        Source s = new Source("s", next("x"), log, Router.all(1)).batch(1, 6);
        Hop x = new Hop("x", next("p", "q"), log, Router.each(addr -> addr % 2 == 0 ? 1 : 2));
        Hop p = new Hop("p", next(), log, (v, nx) -> Node.CONSUMED);
        Hop q = new Hop("q", next(), log, (v, nx) -> Node.CONSUMED);
        Graph g = Graph.builder("mixed").nodes(s, x, p, q).build();

        g.run();

        assertEquals(List.of("s", "x", "q", "p"), order());
        assertArrayEquals(new long[] {1, 3, 5}, callsOf("q").getFirst().addrs());
        assertArrayEquals(new long[] {2, 4, 6}, callsOf("p").getFirst().addrs());
        assertEquals(6, g.stats().copiedPackets(), "a mixed vector is copied out by runs");
    }

    @Test
    void edgesByNameResolveToTheNamedNodes() {
        Source s = new Source("s", next("split"), log, Router.all(1)).batch(0, 9);
        // addr % 3: 0 -> edge 1 ("zero"), 1 -> edge 2 ("one"), 2 -> edge 0 ("drop")
        Hop split = new Hop("split", next("zero", "one"), log, Router.each(addr -> switch ((int) (addr % 3)) {
            case 0 -> 1;
            case 1 -> 2;
            default -> Node.DROP;
        }));
        Hop zero = new Hop("zero", next(), log, (v, nx) -> Node.CONSUMED);
        Hop one = new Hop("one", next(), log, (v, nx) -> Node.CONSUMED);
        Graph g = Graph.builder("edges").nodes(s, split, zero, one).build();

        g.run();

        assertArrayEquals(new long[] {0, 3, 6}, callsOf("zero").getFirst().addrs());
        assertArrayEquals(new long[] {1, 4, 7}, callsOf("one").getFirst().addrs());
        assertEquals(3, g.stats().node("drop").packets());
        assertEquals(3, g.errorCount("drop", "no-owner"), "synthetic packets have no owning port");
        assertSame(g.node("zero"), split.edges[split.edge("zero")]);
    }

    @Test
    void homeRunHandsTheSameVectorObjectDownTheChain() {
        Source s = new Source("s", next("a"), log, Router.all(1)).batch(0, 100);
        Hop a = new Hop("a", next("b"), log, Router.all(1));
        // b fills nexts with one edge for every packet: the engine detects it and still moves the vector
        Hop b = new Hop("b", next("c"), log, Router.each(addr -> 1));
        Hop c = new Hop("c", next(), log, (v, nx) -> Node.CONSUMED);
        Graph g = Graph.builder("homerun").nodes(s, a, b, c).build();

        g.run();

        PacketVector polled = callsOf("s").getFirst().vector();
        assertSame(polled, callsOf("a").getFirst().vector());
        assertSame(polled, callsOf("b").getFirst().vector());
        assertSame(polled, callsOf("c").getFirst().vector());
        GraphStats st = g.stats();
        assertEquals(3, st.homeRuns());
        assertEquals(0, st.copiedPackets(), "nothing was copied");
    }

    @Test
    void aVectorForATargetThatAlreadyHasPacketsIsAppendedNotMoved() {
        Source s1 = new Source("s1", next("t"), log, Router.all(1)).batch(0, 100);
        Source s2 = new Source("s2", next("t"), log, Router.all(1)).batch(1000, 50);
        Hop t = new Hop("t", next(), log, (v, nx) -> Node.CONSUMED);
        Graph g = Graph.builder("merge").nodes(s1, s2, t).build();

        g.run();

        List<Call> calls = callsOf("t");
        assertEquals(1, calls.size());
        assertSame(callsOf("s1").getFirst().vector(), calls.getFirst().vector(), "s1's vector moved");
        assertNotSame(callsOf("s2").getFirst().vector(), calls.getFirst().vector());
        assertEquals(150, calls.getFirst().addrs().length);
        assertEquals(50, g.stats().copiedPackets());
        assertEquals(1, g.stats().homeRuns());
    }

    @Test
    void vectorsSplitAt256AndKeepPacketOrder() {
        Source s1 = new Source("s1", next("t"), log, Router.all(1)).batch(0, 200);
        Source s2 = new Source("s2", next("t"), log, Router.all(1)).batch(1000, 200);
        Source s3 = new Source("s3", next("t"), log, Router.all(1)).batch(2000, 256);
        Hop t = new Hop("t", next(), log, (v, nx) -> Node.CONSUMED);
        Graph g = Graph.builder("split").nodes(s1, s2, s3, t).build();

        g.run();

        // 200 moved; +56 fill it, 144 start a second vector; +112 fill that, 144 start a third.
        List<Call> calls = callsOf("t");
        assertEquals(List.of(256, 256, 144), calls.stream().map(c -> c.addrs().length).toList());
        long[] all = calls.stream().flatMapToLong(c -> LongStream.of(c.addrs())).toArray();
        long[] expected = LongStream.concat(LongStream.concat(LongStream.range(0, 200), LongStream.range(1000, 1200)),
                LongStream.range(2000, 2256)).toArray();
        assertArrayEquals(expected, all);
        assertSame(callsOf("s1").getFirst().vector(), calls.getFirst().vector());
        GraphStats st = g.stats();
        assertEquals(3, st.node("t").calls());
        assertEquals(656, st.node("t").packets());
        assertEquals(456, st.copiedPackets());
        assertEquals(0, st.vectorAllocations(), "preallocated vectors sufficed");
        assertTrue(calls.stream().allMatch(c -> c.addrs().length <= PacketVector.CAPACITY));
    }

    @Test
    void aFullVectorBehindAFullVectorMovesWhole() {
        Source s1 = new Source("s1", next("t"), log, Router.all(1)).batch(0, 256);
        Source s2 = new Source("s2", next("t"), log, Router.all(1)).batch(1000, 256);
        Hop t = new Hop("t", next(), log, (v, nx) -> Node.CONSUMED);
        Graph g = Graph.builder("full").nodes(s1, s2, t).build();

        g.run();

        List<Call> calls = callsOf("t");
        assertEquals(2, calls.size());
        assertSame(callsOf("s1").getFirst().vector(), calls.get(0).vector());
        assertSame(callsOf("s2").getFirst().vector(), calls.get(1).vector());
        assertEquals(0, g.stats().copiedPackets());
    }

    @Test
    void mixedFanOutSplitsPerTarget() {
        // Three full vectors, every packet to one of two targets by parity: 384 each -> 256 + 128.
        Source s = new Source("s", next("x"), log, Router.all(1)).batch(0, 256).batch(256, 256).batch(512, 256);
        Source s2 = new Source("s2", next("x"), log, Router.all(1)).batch(768, 256);
        Source s3 = new Source("s3", next("x"), log, Router.all(1)).batch(1024, 256);
        Hop x = new Hop("x", next("even", "odd"), log, Router.each(addr -> addr % 2 == 0 ? 1 : 2));
        Hop even = new Hop("even", next(), log, (v, nx) -> Node.CONSUMED);
        Hop odd = new Hop("odd", next(), log, (v, nx) -> Node.CONSUMED);
        Graph g = Graph.builder("fanout").vectorSize(256).nodes(s, s2, s3, x, even, odd).build();

        g.run();

        assertEquals(3, callsOf("x").size());
        assertEquals(List.of(256, 128), callsOf("even").stream().map(c -> c.addrs().length).toList());
        assertEquals(List.of(256, 128), callsOf("odd").stream().map(c -> c.addrs().length).toList());
        // this run polled s's first batch, s2 and s3
        long[] evens = callsOf("even").stream().flatMapToLong(c -> LongStream.of(c.addrs())).toArray();
        assertArrayEquals(LongStream.concat(LongStream.range(0, 256), LongStream.range(768, 1280))
                .filter(a -> a % 2 == 0).toArray(), evens);
    }

    @Test
    void consumedPacketsLeaveTheGraph() {
        Source s = new Source("s", next("x"), log, Router.all(1)).batch(0, 10);
        Hop x = new Hop("x", next("y"), log, Router.each(addr -> addr < 4 ? Node.CONSUMED : 1));
        Hop y = new Hop("y", next(), log, (v, nx) -> Node.CONSUMED);
        Graph g = Graph.builder("consume").nodes(s, x, y).build();

        g.run();

        assertArrayEquals(range(4, 6), callsOf("y").getFirst().addrs());
        assertEquals(0, g.stats().node("drop").packets());
    }

    @Test
    void aCycleRunsUntilPacketsLeave() {
        // "loop" sends each packet back to itself until meta0 reaches 3, then consumes it.
        Source s = new Source("s", next("loop"), log, Router.all(1)).batch(0, 5);
        Hop loop = new Hop("loop", next("loop"), log, (v, nx) -> {
            for (int i = 0; i < v.count(); i++) {
                nx[i] = ++v.meta0[i] < 3 ? 1 : Node.CONSUMED;
            }
            return Node.PER_PACKET;
        });
        Graph g = Graph.builder("cycle").nodes(s, loop).build();

        g.run();

        assertEquals(3, callsOf("loop").size());
        assertEquals(15, g.stats().node("loop").packets());
    }

    @Test
    void inputBurstIsLimitedByVectorSize() {
        Source s = new Source("s", next("t"), log, Router.all(1)).batch(0, 100);
        Hop t = new Hop("t", next(), log, (v, nx) -> Node.CONSUMED);
        Graph g = Graph.builder("burst").vectorSize(32).nodes(s, t).build();

        int runs = 0;
        while (g.run() > 0) {
            runs++;
        }
        assertEquals(4, runs);
        assertEquals(List.of(32, 32, 32, 4), callsOf("t").stream().map(c -> c.addrs().length).toList());
    }

    @Test
    void aNodeReturningANonexistentEdgeIsABug() {
        Source s = new Source("s", next("x"), log, Router.all(1)).batch(0, 1);
        Hop x = new Hop("x", next(), log, Router.all(5));
        Graph g = Graph.builder("bug").nodes(s, x).build();
        assertThrows(ArrayIndexOutOfBoundsException.class, g::run);

        Source s2 = new Source("s2", next("y"), log, Router.all(1)).batch(0, 1);
        Hop y = new Hop("y", next(), log, Router.all(-7));
        Graph g2 = Graph.builder("bug2").nodes(s2, y).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, g2::run);
        assertTrue(e.getMessage().contains("node 'y' returned -7"), e.getMessage());
    }
}
