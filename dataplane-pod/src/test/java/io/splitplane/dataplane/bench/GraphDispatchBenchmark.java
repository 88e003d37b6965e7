package io.splitplane.dataplane.bench;

import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.graph.PortRxNode;
import io.splitplane.dataplane.graph.PortTxNode;
import io.splitplane.dataplane.port.MemoryPort;
import io.splitplane.dataplane.port.MemoryPortPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's own cost: ns per packet through {@code port-rx -> n1 .. n5 -> port-tx} over a
 * {@link MemoryPortPair}, where n1..n5 are trivial nodes (each writes one metadata word per
 * packet). One benchmark operation is one packet; each invocation injects {@code 256} packets on
 * the far side, runs the graph until they are all out, and takes them back (the far side's ring
 * moves are included: about two array copies per packet).
 *
 * <ul>
 * <li>{@code vectorSize}: the rx burst, 256 or 32 packets per input poll.</li>
 * <li>{@code nodes}: trivial nodes in the chain (0 measures port-rx -> port-tx alone).</li>
 * <li>{@code timing}: per-node clock reads on (default) or off.</li>
 * <li>{@code mode}: {@code EDGE} nodes return one edge (whole-vector home runs); {@code NEXTS}
 *     nodes fill {@code nexts[]} with one edge (the engine scans and still moves the vector);
 *     {@code SPLIT} nodes alternate two edges per packet into two sibling nodes that merge again
 *     (bulk enqueue by runs, a copy per packet per hop: the worst case).</li>
 * </ul>
 *
 * Run: see {@code dataplane-pod/README.md} (exec:exec with the test classpath).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class GraphDispatchBenchmark {
    private static final int BATCH = 256;

    @Param({"256", "32"})
    public int vectorSize;

    @Param({"5"})
    public int nodes;

    @Param({"EDGE", "NEXTS", "SPLIT"})
    public String mode;

    /** Per-node timing (one clock read per node call). */
    @Param({"true"})
    public boolean timing;

    private MemoryPortPair wire;
    private MemoryPort b;
    private Graph graph;
    private final PacketVector batch = new PacketVector();

    /** A trivial node: one store per packet, then all packets to edge 1. */
    static final class Trivial extends Node {
        private final boolean perPacket;

        Trivial(String name, String next, boolean perPacket) {
            super(name, List.of(DROP_NODE, next));
            this.perPacket = perPacket;
        }

        @Override
        protected int process(PacketVector v, int[] nexts) {
            final int n = v.count();
            final int[] meta = v.meta0;
            for (int i = 0; i < n; i++) {
                meta[i]++;
            }
            if (!perPacket) {
                return 1;
            }
            for (int i = 0; i < n; i++) {
                nexts[i] = 1;
            }
            return PER_PACKET;
        }
    }

    /** Alternates packets between edges 1 and 2. */
    static final class Alternate extends Node {
        Alternate(String name, String left, String right) {
            super(name, List.of(DROP_NODE, left, right));
        }

        @Override
        protected int process(PacketVector v, int[] nexts) {
            final int n = v.count();
            final int[] meta = v.meta0;
            for (int i = 0; i < n; i++) {
                meta[i]++;
                nexts[i] = 1 + (i & 1);
            }
            return PER_PACKET;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"));
        b = wire.b();
        List<Node> chain = new ArrayList<>();
        String first = nodes == 0 ? "port-tx-a" : "n1";
        for (int i = 1; i <= nodes; i++) {
            String next = i == nodes ? "port-tx-a" : "n" + (i + 1);
            switch (mode) {
                case "EDGE" -> chain.add(new Trivial("n" + i, next, false));
                case "NEXTS" -> chain.add(new Trivial("n" + i, next, true));
                case "SPLIT" -> {
                    chain.add(new Alternate("n" + i, "n" + i + "l", "n" + i + "r"));
                    chain.add(new Trivial("n" + i + "l", next, false));
                    chain.add(new Trivial("n" + i + "r", next, false));
                }
                default -> throw new IllegalArgumentException("mode=" + mode);
            }
        }
        Graph.Builder gb = Graph.builder("bench").vectorSize(vectorSize).timing(timing).node(new PortRxNode(wire.a(), first));
        chain.forEach(gb::node);
        graph = gb.node(new PortTxNode(wire.a())).build();
        for (int i = 0; i < BATCH; i++) {
            batch.add(b.allocate() + 256, 64, 0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (graph.stats().vectorAllocations() != 0) {
            throw new IllegalStateException("the graph allocated vectors: " + graph.stats().format());
        }
        wire.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int dispatch() {
        final PacketVector v = batch;
        final MemoryPort far = b;
        far.tx(v.addr, v.len, 0, BATCH);
        v.clear();
        int got = 0;
        while (got < BATCH) {
            graph.run();
            got += far.rx(v, BATCH, 0);
        }
        return got;
    }
}
