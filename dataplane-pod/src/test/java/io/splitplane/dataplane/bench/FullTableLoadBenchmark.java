package io.splitplane.dataplane.bench;

import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.ip4.Ip4Tables;
import io.splitplane.dataplane.netlink.NetlinkAgent;
import io.splitplane.kernel.netlink.AddressFamily;
import io.splitplane.kernel.netlink.Route;
import io.splitplane.kernel.testing.Shell;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full-table load, kernel → graph: a namespace's kernel holds a BGP-like table of 1,000,000 IPv4
 * routes ({@link BgpLikeRoutes}: lengths as in the global table, 2% longer than /24) via 16 gateways,
 * loaded once with {@code ip -force -batch}; each measured invocation starts a {@link NetlinkAgent}
 * on fresh tables, which subscribes, dumps links, addresses, nexthops, routes (streamed) and
 * neighbours, and installs everything: {@code start} returns when the FIB holds the kernel's table.
 *
 * <p>The heap is capped at 512 MiB ({@code -Xmx512m}), the target. After each invocation the
 * teardown prints the heap still used by agent and tables after a GC (retained), the peak heap seen
 * during the load (the pools' peak usage, garbage included), the FIB's own heap and off-heap bytes,
 * and the number of routes on each side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class FullTableLoadBenchmark {
    private static final int ROUTES = 1_000_000;
    private static final int GATEWAYS = 16;

    private AgentNamespace ns;
    private long kernelRoutes;
    private Ip4Tables tables;
    private NetlinkAgent agent;
    private long baselineHeapBytes;

    @Setup(Level.Trial)
    public void loadKernel() throws IOException {
        ns = new AgentNamespace();
        BgpLikeRoutes table = BgpLikeRoutes.generate(ROUTES, 1, 1, 42);
        Path batch = Files.createTempFile("spt-routes", ".batch");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(batch)) {
                for (int i = 0; i < table.count; i++) {
                    w.write("route add " + Ip4.toString(table.prefixes[i]) + "/" + table.lengths[i] + " via 10.1.0."
                            + (2 + i % GATEWAYS) + " dev " + ns.a + "\n");
                }
            }
            long t0 = System.nanoTime();
            // -force: the few prefixes the kernel refuses (e.g. inside 127/8) do not stop the batch.
            Shell.Result r = Shell.exec(java.util.List.of("ip", "-n", ns.ns, "-force", "-batch", batch.toString()), 600);
            long[] n = {0};
            ns.socket.routes(AddressFamily.INET, Route.TABLE_MAIN, route -> n[0]++);
            kernelRoutes = n[0];
            System.out.printf("%n[full-load] kernel loaded %d main-table routes with ip -batch in %.1f s (exit %d)%n",
                    kernelRoutes, (System.nanoTime() - t0) / 1e9, r.exitCode());
        } finally {
            Files.deleteIfExists(batch);
        }
    }

    @TearDown(Level.Trial)
    public void removeNamespace() {
        ns.close();
    }

    @Setup(Level.Iteration)
    public void freshTables() {
        baselineHeapBytes = Ip4FibBenchmark.usedHeapAfterGc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        // Room for the BGP-like table's longer-than-/24 routes without growing the pool during the load.
        tables = new Ip4Tables(1, 1 << 15);
    }

    @Benchmark
    public NetlinkAgent load() {
        agent = NetlinkAgent.start("full", tables, ns.owned(), ns.handle, 0);
        return agent;
    }

    @TearDown(Level.Iteration)
    public void report() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        long retained = Ip4FibBenchmark.usedHeapAfterGc() - baselineHeapBytes;
        int fibRoutes;
        synchronized (tables) {
            fibRoutes = tables.fib().routeCount();
        }
        System.out.printf("%n[full-load] kernel=%d fib=%d agentSync=%.2f s retainedHeap=%.1f MiB peakHeap=%.1f MiB "
                        + "fibHeap=%.1f MiB fibOffHeap=%.1f MiB maxHeap=%d MiB%n", kernelRoutes, fibRoutes,
                agent.stats().lastResyncNanos() / 1e9, Ip4FibBenchmark.mib(retained), Ip4FibBenchmark.mib(peak),
                Ip4FibBenchmark.mib(tables.fib().heapBytes()), Ip4FibBenchmark.mib(tables.fib().offHeapBytes()),
                Runtime.getRuntime().maxMemory() >> 20);
        if (fibRoutes < kernelRoutes) {
            throw new IllegalStateException("FIB has " + fibRoutes + " routes, kernel " + kernelRoutes);
        }
        agent.close();
        tables.close();
        agent = null;
        tables = null;
    }
}
