package io.splitplane.dataplane.bench;

import io.splitplane.dataplane.fib.EcmpGroupTable;
import io.splitplane.dataplane.fib.EthernetHeaderLayout;
import io.splitplane.dataplane.fib.Ip4Checksum;
import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.fib.Quiescence;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.ip4.Ip4Forwarder;
import io.splitplane.dataplane.ip4.Ip4Tables;
import io.splitplane.dataplane.port.MemoryPort;
import io.splitplane.dataplane.port.MemoryPortPair;
import io.splitplane.dataplane.port.PacketMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
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
 * Graph-only IPv4 forwarding: 64-byte UDP frames through the whole ip4 graph of one worker
 * ({@code fib-quiescent, port-rx -> eth-input -> ip4-input -> ip4-lookup -> ip4-rewrite -> port-tx})
 * between two in-memory ports, with a BGP-like FIB of 1k or 1M routes ({@link BgpLikeRoutes}: 10% of
 * routes ECMP groups, so 10% of packets are flow-hashed) and every packet to a different random
 * destination inside a route. One op = one packet; one invocation = 256 packets: the far side sends a
 * full vector (rewriting each frame's destination, TTL and checksum: 2 stores per packet), the graph
 * runs once, the far side takes the vector back. So the far side's ring moves are included. Timing of
 * node calls on (as in production), vector 256.
 *
 * <pre>
 * ./mvnw -q -pl dataplane-pod test-compile exec:exec -Djmh.args='Ip4ForwardBenchmark'
 * </pre>
 * Mpps = 1000 / (ns per op).
 */
public class Ip4ForwardBenchmark {
    static final int BATCH = 256;
    private static final int ADDRESSES = 1 << 20;
    private static final int NEXT_HOPS = 64;
    private static final int GROUPS = 16;
    private static final int FRAME = 64;
    private static final long IP = EthernetHeaderLayout.SIZE;
    private static final ValueLayout.OfInt U32 = Ip4HeaderLayout.FIELD_U32;
    private static final ValueLayout.OfShort U16 = Ip4HeaderLayout.FIELD_U16;

    @State(Scope.Thread)
    public static class Rig {
        @Param({"1000", "1000000"})
        public int routes;

        Ip4Tables tables;
        Quiescence.Reader reader;
        MemoryPortPair in;
        MemoryPortPair out;
        Graph graph;
        MemorySegment m;
        /** Per destination index: destination, and the ttl|protocol|check word of its header. */
        int[] dsts;
        int[] words;
        int cursor;
        final PacketVector frames = new PacketVector();

        @Setup(Level.Trial)
        public void setUp() {
            tables = new Ip4Tables(1, 4096);
            reader = tables.registerWorker();
            in = MemoryPortPair.create(MemoryPortPair.Config.named("p0", "x0").withFrames(4096, 0).withRingSize(1024));
            out = MemoryPortPair.sharing(MemoryPortPair.Config.named("p1", "x1").withFrames(4096, 0)
                    .withRingSize(1024), in);
            tables.setPortMac(0, 0x02_00_00_00_01_00L);
            tables.setPortMac(1, 0x02_00_00_00_01_01L);
            for (int id = 1; id <= NEXT_HOPS; id++) {
                final int gateway = 0xC0_00_02_00 | id;
                if (tables.nextHopId(Ip4Tables.Path.via(1, gateway)) != id) {
                    throw new IllegalStateException("next-hop ids are not dense");
                }
                tables.setNeighbour(1, gateway, 0x02_00_00_00_02_00L | id);
            }
            for (int g = 1; g <= GROUPS; g++) {
                final int members = 2 + g % 3;
                final EcmpGroupTable.Member[] mm = new EcmpGroupTable.Member[members];
                for (int i = 0; i < members; i++) {
                    mm[i] = EcmpGroupTable.Member.of(1 + (g * 7 + i * 13) % NEXT_HOPS);
                }
                tables.groups().add(g, mm);
            }
            final BgpLikeRoutes table = BgpLikeRoutes.generate(routes, NEXT_HOPS, GROUPS, 42);
            tables.bulkLoad(table.prefixes, table.lengths, table.targets, table.count);
            graph = Ip4Forwarder.build("bench", tables, reader, List.of(in.a(), out.a()), new int[] {0, 1},
                    Ip4Forwarder.Options.defaults());
            final PacketMemory memory = in.memory();
            m = memory.segment();

            // Destinations and their header words: a scratch header to compute each checksum.
            final SplittableRandom rnd = new SplittableRandom(1);
            dsts = table.addressesInRoutes(ADDRESSES, 7);
            words = new int[ADDRESSES];
            final long scratchBase = in.b().allocate();
            final long h = scratchBase + memory.dataOffset() + IP;
            writeFrame(scratchBase + memory.dataOffset(), rnd);
            for (int i = 0; i < ADDRESSES; i++) {
                m.set(U32, h + Ip4HeaderLayout.DESTINATION_OFFSET, dsts[i]);
                m.set(U32, h + Ip4HeaderLayout.TTL_OFFSET, 0x4011_0000);
                Ip4Checksum.fill(m, h, (int) Ip4HeaderLayout.MIN_SIZE);
                words[i] = m.get(U32, h + Ip4HeaderLayout.TTL_OFFSET);
            }
            // BATCH frames that circulate: x0 -> p0 -> graph -> p1 -> x1 -> x0 ...
            frames.clear();
            for (int i = 0; i < BATCH; i++) {
                final long addr = in.b().allocate() + memory.dataOffset();
                writeFrame(addr, rnd);
                frames.add(addr, FRAME, 0);
            }
        }

        /** One 64-byte Ethernet/IPv4/UDP frame, same source for all (destination set per send). */
        private void writeFrame(final long f, final SplittableRandom rnd) {
            m.set(U16, f + EthernetHeaderLayout.ETHER_TYPE_OFFSET, (short) EthernetHeaderLayout.ETHER_TYPE_IPV4);
            m.set(ValueLayout.JAVA_BYTE, f + IP, (byte) 0x45);
            m.set(U16, f + IP + Ip4HeaderLayout.TOTAL_LENGTH_OFFSET, (short) (FRAME - IP));
            m.set(U32, f + IP + Ip4HeaderLayout.SOURCE_OFFSET, 0x0A00_0001);
            m.set(U16, f + IP + Ip4HeaderLayout.MIN_SIZE, (short) 5000);
            m.set(U16, f + IP + Ip4HeaderLayout.MIN_SIZE + 2, (short) 4789);
            m.set(U16, f + IP + Ip4HeaderLayout.MIN_SIZE + 4, (short) (FRAME - IP - 20));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            System.out.printf("%n%s", graph.stats().format());
            reader.close();
            out.close();
            in.close();
            tables.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(BATCH)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
    public int forward(final Rig r) {
        final MemorySegment m = r.m;
        final PacketVector v = r.frames;
        final int[] dsts = r.dsts;
        final int[] words = r.words;
        int c = r.cursor;
        final int n = v.count();
        for (int i = 0; i < n; i++) {
            final long ip = v.addr[i] + IP;
            m.set(U32, ip + Ip4HeaderLayout.DESTINATION_OFFSET, dsts[c]);
            m.set(U32, ip + Ip4HeaderLayout.TTL_OFFSET, words[c]);
            c = (c + 1) & (ADDRESSES - 1);
        }
        r.cursor = c;
        final MemoryPort x0 = r.in.b();
        x0.tx(v.addr, v.len, 0, n);
        r.graph.run();
        v.clear();
        return r.out.b().rx(v, BATCH, 0);
    }
}
