package io.splitplane.dataplane.bench;

import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.fib.Quiescence;
import io.splitplane.dataplane.ip4.Ip4Tables;
import io.splitplane.dataplane.netlink.NetlinkAgent;
import io.splitplane.kernel.netlink.Route;
import java.util.List;
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
 * Kernel → graph convergence: how long from a route change requested of the kernel (an
 * {@code RTM_NEWROUTE}/{@code RTM_DELROUTE} over rtnetlink, acknowledged) until a worker's lookup
 * ({@code Ip4Fib.lookup}, the hot-path read) sees it. Each invocation makes one change and spins on
 * the lookup, so JMH's sample mode gives the latency distribution (p50, p99) per kind of change.
 * The time includes the kernel's own work and the request's acknowledgement, the notification, the
 * agent's wake-up and the FIB update: the whole path, not the FIB alone.
 *
 * <ul>
 * <li>{@code add}: a new /24 (a fresh prefix each time).</li>
 * <li>{@code replace}: one of 1,024 existing /24s moved to the other gateway ({@code ip route replace}).</li>
 * <li>{@code remove}: a /24 added (untimed, in the invocation's setup) and then deleted.</li>
 * <li>{@code kernelAddAck} (the anchor): a new /24 added and acknowledged by the kernel, not waited
 * for in the FIB: what the kernel alone costs; {@code add} minus this is the agent's share.</li>
 * </ul>
 * The namespace holds only these routes; the FIB cost of a change does not depend on the table size
 * (see {@code Ip4FibBenchmark.routeChange} for a 1M-route FIB).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class KernelConvergenceBenchmark {
    private static final int REPLACED = 1024;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private static int replacePrefix(int i) {
        return Ip4.parse("60.0.0.0") + (i << 8);
    }

    private static Route route(int prefix, int gateway, int ifindex) {
        return Route.via(Ip4.toInetAddress(prefix), 24, Ip4.toInetAddress(gateway), ifindex);
    }

    /** The namespace, the tables and the agent following them (this thread reads like a worker). */
    @State(Scope.Benchmark)
    public static class Fixture {
        private AgentNamespace ns;
        private Ip4Tables tables;
        private NetlinkAgent agent;
        private Quiescence.Reader reader;
        private int gatewayA;
        private int gatewayB;
        private int targetA;
        private int targetB;
        private int added;
        private int replaced;
        private int anchored;

        @Setup(Level.Trial)
        public void setUp() {
            ns = new AgentNamespace();
            tables = new Ip4Tables(1);
            reader = tables.registerWorker();
            agent = NetlinkAgent.start("bench", tables, ns.owned(), ns.handle, 0);
            gatewayA = Ip4.parse("10.1.0.2");
            gatewayB = Ip4.parse("10.2.0.2");
            targetA = tables.pathsTarget(List.of(Ip4Tables.Path.via(0, gatewayA)));
            targetB = tables.pathsTarget(List.of(Ip4Tables.Path.via(1, gatewayB)));
            for (int i = 0; i < REPLACED; i++) {
                ns.socket.addRoute(route(replacePrefix(i), gatewayA, ns.ifindexA));
                await(replacePrefix(i), targetA);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            System.out.printf("%n[convergence] agent %s%n", agent.stats());
            agent.close();
            reader.close();
            tables.close();
            ns.close();
        }

        /** Spins on the worker's lookup until the /24 at {@code prefix} answers {@code expected}. */
        private void await(int prefix, int expected) {
            long start = System.nanoTime();
            while (tables.fib().lookup(prefix | 1) != expected) {
                if (System.nanoTime() - start > TIMEOUT_NS) {
                    throw new IllegalStateException("FIB did not converge for " + Ip4.toString(prefix) + "/24: "
                            + FibResult.toString(tables.fib().lookup(prefix | 1)) + " != " + FibResult.toString(expected));
                }
                reader.quiescent();
                Thread.onSpinWait();
            }
        }
    }

    /** A route added (untimed) before each {@code remove}. */
    @State(Scope.Benchmark)
    public static class Removal {
        private int removed;
        Route pending;

        @Setup(Level.Invocation)
        public void addOne(Fixture f) {
            int prefix = Ip4.parse("96.0.0.0") + (removed++ << 8);
            pending = route(prefix, f.gatewayA, f.ns.ifindexA);
            f.ns.socket.addRoute(pending);
            f.await(prefix, f.targetA);
        }
    }

    @Benchmark
    public void add(Fixture f) {
        int prefix = Ip4.parse("32.0.0.0") + (f.added++ << 8);
        f.ns.socket.addRoute(route(prefix, f.gatewayA, f.ns.ifindexA));
        f.await(prefix, f.targetA);
    }

    @Benchmark
    public void kernelAddAck(Fixture f) {
        int prefix = Ip4.parse("128.0.0.0") + (f.anchored++ << 8);
        f.ns.socket.addRoute(route(prefix, f.gatewayA, f.ns.ifindexA));
    }

    @Benchmark
    public void replace(Fixture f) {
        int i = f.replaced++;
        int prefix = replacePrefix(i % REPLACED);
        boolean toB = (i / REPLACED) % 2 == 0;
        f.ns.socket.replaceRoute(toB ? route(prefix, f.gatewayB, f.ns.ifindexB) : route(prefix, f.gatewayA, f.ns.ifindexA));
        f.await(prefix, toB ? f.targetB : f.targetA);
    }

    @Benchmark
    public void remove(Fixture f, Removal r) {
        f.ns.socket.removeRoute(r.pending);
        f.await(Ip4.of(r.pending.dst()), FibResult.NO_ROUTE);
    }
}
