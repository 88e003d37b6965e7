package io.splitplane.dataplane.bench;

import io.splitplane.dataplane.fib.Adjacency;
import io.splitplane.dataplane.fib.EcmpGroupTable;
import io.splitplane.dataplane.fib.EthernetHeaderLayout;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.FlowHash;
import io.splitplane.dataplane.fib.Ip4Checksum;
import io.splitplane.dataplane.fib.Ip4Fib;
import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.fib.NextHop;
import io.splitplane.dataplane.fib.NextHopTable;
import io.splitplane.dataplane.fib.Quiescence;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The IPv4 FIB's costs, with a BGP-like table ({@link BgpLikeRoutes}) of 1k or 1M routes and
 * destinations that hit routes (each inside a random route, so with 1M routes nearly every lookup
 * touches a different tbl24 line: a cache miss, which is the point).
 *
 * <ul>
 * <li>{@code lookup}: ns per {@link Ip4Fib#lookup} (one call per op; independent calls overlap).</li>
 * <li>{@code lookupBatch}: ns per address of {@link Ip4Fib#lookupBatch} over 256 addresses.</li>
 * <li>{@code forward}: ns per packet of the whole ip4-lookup + ip4-rewrite work on 256 in-memory
 *     64-byte frames, as two node-shaped passes: read the destination, batch lookup, ECMP select
 *     (10% of routes) with the flow hash; then adjacency, TTL decrement with incremental checksum, MAC
 *     rewrite; plus one {@code quiescent()} per vector. No graph engine, no ports: the FIB's share of
 *     the per-packet budget. The "receive" pass rewrites each frame's destination and TTL first (two
 *     stores per packet) and is included.</li>
 * <li>{@code bulkLoad}: one full load of 1M routes into an empty FIB (single shot, heap capped at
 *     512 MiB); the teardown prints the memory it took.</li>
 * <li>{@code routeChange}: latency distribution of one route replace in a 1M-route FIB (the table
 *     side of "convergence per change").</li>
 * </ul>
 * Run: see {@code dataplane-pod/README.md}, section FIB.
 */
public class Ip4FibBenchmark {
    static final int BATCH = 256;
    private static final int ADDRESSES = 1 << 20;
    private static final int NEXT_HOPS = 64;
    private static final int GROUPS = 16;
    private static final int PORTS = 4;
    private static final int FRAME = 64;
    private static final long IP = EthernetHeaderLayout.SIZE;
    /** UDP source and destination ports, right after a 20-byte IPv4 header. */
    private static final long SPORT = IP + Ip4HeaderLayout.MIN_SIZE;
    private static final long DPORT = SPORT + 2;
    private static final ValueLayout.OfInt U32 = Ip4HeaderLayout.FIELD_U32;
    private static final ValueLayout.OfShort U16 = Ip4HeaderLayout.FIELD_U16;

    /** FIB, next hops (all resolved, on 4 ports) and groups, with a stream of destinations. */
    @State(Scope.Thread)
    public static class Tables {
        @Param({"1000", "1000000"})
        public int routes;

        Quiescence quiescence;
        Quiescence.Reader reader;
        Ip4Fib fib;
        NextHopTable nextHops;
        EcmpGroupTable groups;
        int[] addresses;
        int cursor;
        final int[] dsts = new int[BATCH];
        final int[] results = new int[BATCH];
        final int[] nextHopIds = new int[BATCH];
        Arena arena;
        MemorySegment frames;

        @Setup(Level.Trial)
        public void setUp() {
            quiescence = new Quiescence(4);
            reader = quiescence.register();
            fib = new Ip4Fib(quiescence);
            nextHops = new NextHopTable();
            groups = new EcmpGroupTable();
            final SplittableRandom rnd = new SplittableRandom(1);
            for (int port = 0; port < PORTS; port++) {
                nextHops.setPortMac(port, 0x02_00_00_00_01_00L | port);
            }
            for (int id = 1; id <= NEXT_HOPS; id++) {
                final int port = id % PORTS;
                final int gateway = 0xC0_00_02_00 | id;
                nextHops.add(id, NextHop.via(port, gateway));
                nextHops.setNeighbour(port, gateway, 0x02_00_00_00_02_00L | id);
            }
            for (int g = 1; g <= GROUPS; g++) {
                final int members = 2 + g % 3;
                final EcmpGroupTable.Member[] m = new EcmpGroupTable.Member[members];
                for (int i = 0; i < members; i++) {
                    m[i] = EcmpGroupTable.Member.of(1 + (g * 7 + i * 13) % NEXT_HOPS);
                }
                groups.add(g, m);
            }
            final BgpLikeRoutes table = BgpLikeRoutes.generate(routes, NEXT_HOPS, GROUPS, 42);
            fib.bulkLoad(table.prefixes, table.lengths, table.targets, table.count);
            addresses = table.addressesInRoutes(ADDRESSES, 7);

            arena = Arena.ofShared();
            frames = arena.allocate((long) BATCH * FRAME, 64);
            for (int i = 0; i < BATCH; i++) {
                final long f = (long) i * FRAME;
                frames.set(U16, f + EthernetHeaderLayout.ETHER_TYPE_OFFSET, (short) EthernetHeaderLayout.ETHER_TYPE_IPV4);
                frames.set(ValueLayout.JAVA_BYTE, f + IP + Ip4HeaderLayout.VERSION_IHL_OFFSET, (byte) 0x45);
                frames.set(U16, f + IP + Ip4HeaderLayout.TOTAL_LENGTH_OFFSET, (short) 46);
                frames.set(ValueLayout.JAVA_BYTE, f + IP + Ip4HeaderLayout.TTL_OFFSET, (byte) 64);
                frames.set(ValueLayout.JAVA_BYTE, f + IP + Ip4HeaderLayout.PROTOCOL_OFFSET, (byte) 17);
                frames.set(U32, f + IP + Ip4HeaderLayout.SOURCE_OFFSET, rnd.nextInt());
                frames.set(U32, f + IP + Ip4HeaderLayout.DESTINATION_OFFSET, addresses[i]);
                frames.set(U16, f + SPORT, (short) rnd.nextInt(65536));
                frames.set(U16, f + DPORT, (short) 4789);
                Ip4Checksum.fill(frames, f + IP, (int) Ip4HeaderLayout.MIN_SIZE);
            }
        }

        int nextBatch() {
            final int base = cursor;
            cursor = (cursor + BATCH) & (ADDRESSES - 1);
            return base;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            reader.close();
            fib.close();
            arena.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
    public int lookup(final Tables t) {
        final int i = t.cursor = (t.cursor + 1) & (ADDRESSES - 1);
        return t.fib.lookup(t.addresses[i]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(BATCH)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
    public int[] lookupBatch(final Tables t) {
        System.arraycopy(t.addresses, t.nextBatch(), t.dsts, 0, BATCH);
        t.fib.lookupBatch(t.dsts, t.results, BATCH);
        return t.results;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(BATCH)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
    public long forward(final Tables t) {
        receive(t);
        final int forwarded = ip4Lookup(t);
        final long sent = ip4Rewrite(t);
        t.reader.quiescent();
        return sent + forwarded;
    }

    /** What the rx side leaves behind: a fresh destination and TTL in each frame. */
    private static void receive(final Tables t) {
        final MemorySegment frames = t.frames;
        final int[] addresses = t.addresses;
        final int base = t.nextBatch();
        for (int i = 0; i < BATCH; i++) {
            final long f = (long) i * FRAME;
            frames.set(U32, f + IP + Ip4HeaderLayout.DESTINATION_OFFSET, addresses[base + i]);
            frames.set(ValueLayout.JAVA_BYTE, f + IP + Ip4HeaderLayout.TTL_OFFSET, (byte) 64);
        }
    }

    /**
     * As an ip4-lookup node: destinations out of the headers, one batch lookup, ECMP selection; leaves
     * the next-hop id per packet in {@code nextHopIds} (0: not forwarded). Returns how many forward.
     */
    private static int ip4Lookup(final Tables t) {
        final MemorySegment frames = t.frames;
        final int[] dsts = t.dsts;
        final int[] results = t.results;
        final int[] nextHopIds = t.nextHopIds;
        final EcmpGroupTable groups = t.groups;
        for (int i = 0; i < BATCH; i++) {
            dsts[i] = frames.get(U32, (long) i * FRAME + IP + Ip4HeaderLayout.DESTINATION_OFFSET);
        }
        t.fib.lookupBatch(dsts, results, BATCH);
        int forwarded = 0;
        for (int i = 0; i < BATCH; i++) {
            final int r = results[i];
            final int kind = FibResult.kind(r);
            int nh = 0;
            if (kind == FibResult.KIND_NEXT_HOP) {
                nh = FibResult.id(r);
            } else if (kind == FibResult.KIND_GROUP) {
                final long f = (long) i * FRAME;
                final int src = frames.get(U32, f + IP + Ip4HeaderLayout.SOURCE_OFFSET);
                final int sport = frames.get(U16, f + SPORT) & 0xFFFF;
                final int dport = frames.get(U16, f + DPORT) & 0xFFFF;
                nh = groups.select(FibResult.id(r), FlowHash.ip4(src, dsts[i], 17, sport, dport));
            }
            nextHopIds[i] = nh;
            forwarded += nh != 0 ? 1 : 0;
        }
        return forwarded;
    }

    /** As an ip4-rewrite node: adjacency, TTL and checksum, MACs; returns a digest of the ports. */
    private static long ip4Rewrite(final Tables t) {
        final MemorySegment frames = t.frames;
        final int[] dsts = t.dsts;
        final int[] nextHopIds = t.nextHopIds;
        final NextHopTable nextHops = t.nextHops;
        long sent = 0;
        for (int i = 0; i < BATCH; i++) {
            final long f = (long) i * FRAME;
            final long adj = nextHops.resolve(nextHopIds[i], dsts[i]);
            if (Adjacency.state(adj) != Adjacency.RESOLVED || Ip4Checksum.decrementTtl(frames, f + IP) < 0) {
                continue; // a node would punt or drop here
            }
            final int port = Adjacency.port(adj);
            Adjacency.writeMacs(frames, f, adj, nextHops.portMac(port));
            sent += port + 1;
        }
        return sent;
    }

    // ---- bulk load and memory ----

    /** The route arrays for a 1M load, generated outside the measurement. */
    @State(Scope.Thread)
    public static class LoadInput {
        BgpLikeRoutes table;
        Ip4Fib fib;
        Quiescence quiescence;
        long baselineHeapBytes;
        long baselineRssBytes;

        @Setup(Level.Trial)
        public void generate() {
            table = BgpLikeRoutes.generate(1_000_000, NEXT_HOPS, GROUPS, 42);
        }

        @Setup(Level.Iteration)
        public void baseline() {
            quiescence = new Quiescence(4);
            baselineHeapBytes = usedHeapAfterGc();
            baselineRssBytes = rssBytes();
        }

        @TearDown(Level.Iteration)
        public void report() {
            final long heap = usedHeapAfterGc() - baselineHeapBytes;
            final long rss = rssBytes() - baselineRssBytes;
            System.out.printf("%n[fib-memory] routes=%d heapDelta=%.1f MiB (route set + shadows %.1f MiB)"
                            + " offHeapMapped=%.1f MiB rssDelta=%.1f MiB tbl8Groups=%d/%d maxHeap=%d MiB%n",
                    fib.routeCount(), mib(heap), mib(fib.heapBytes()), mib(fib.offHeapBytes()), mib(rss),
                    fib.tbl8GroupsInUse(), fib.tbl8Capacity(), Runtime.getRuntime().maxMemory() >> 20);
            fib.close();
            fib = null;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 5)
    @Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
    public int bulkLoad(final LoadInput in) {
        final Ip4Fib fib = new Ip4Fib(in.quiescence);
        fib.bulkLoad(in.table.prefixes, in.table.lengths, in.table.targets, in.table.count);
        in.fib = fib;
        return fib.routeCount();
    }

    // ---- change latency ----

    /** A loaded 1M-route FIB. */
    @State(Scope.Thread)
    public static class Loaded {
        BgpLikeRoutes table;
        Ip4Fib fib;
        final SplittableRandom rnd = new SplittableRandom(3);

        @Setup(Level.Trial)
        public void setUp() {
            table = BgpLikeRoutes.generate(1_000_000, NEXT_HOPS, GROUPS, 42);
            fib = new Ip4Fib(new Quiescence(4));
            fib.bulkLoad(table.prefixes, table.lengths, table.targets, table.count);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            fib.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
    public int routeChange(final Loaded s) {
        final int i = s.rnd.nextInt(s.table.count);
        return s.fib.replaceRoute(s.table.prefixes[i], s.table.lengths[i], FibResult.nextHop(1 + s.rnd.nextInt(NEXT_HOPS)));
    }

    // ---- helpers ----

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long rssBytes() {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    static double mib(final long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
