package io.splitplane.dataplane.graph;

import java.util.BitSet;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Runs one {@link Graph} on its own platform thread: an Agrona {@link Agent} whose
 * {@link #doWork()} is one {@link Graph#run()}, driven by an {@link AgentRunner} with an
 * {@link IdleStrategy}. The idle strategy sees the work count, so the loop spins while packets
 * flow and backs off when idle: {@link BackoffIdleStrategy} by default (spin, then yield, then park
 * from 1 us doubling to 1 ms), {@link BusySpinIdleStrategy} for benchmarks and dedicated cores.
 *
 * <pre>{@code
 * try (GraphWorker w = GraphWorker.builder(graph).cpu(1).start()) {
 *     ...                       // the graph runs on thread "graph-<name>", pinned to CPU 1
 * }                             // close: stop, join
 * }</pre>
 *
 * <p>The graph and its ports belong to the worker thread from {@link Builder#start()} until
 * {@link #close()} returns (which joins the thread, so afterwards the caller sees everything the
 * worker wrote). An exception escaping {@code run()} is a bug in a node: the runner counts it,
 * keeps the first one ({@link #firstError()}) and carries on with the next loop.
 */
public final class GraphWorker implements Agent, AutoCloseable {
    private final Graph graph;
    private final BitSet cpus;
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final AtomicReference<BitSet> affinity = new AtomicReference<>();
    private volatile boolean started;
    private AgentRunner runner;

    private GraphWorker(Graph graph, BitSet cpus) {
        this.graph = graph;
        this.cpus = cpus;
    }

    public static Builder builder(Graph graph) {
        return new Builder(graph);
    }

    @Override
    public String roleName() {
        return "graph-" + graph.name();
    }

    @Override
    public void onStart() {
        if (cpus != null) {
            CpuAffinity.pinCurrentThread(cpus);
        }
        affinity.set(CpuAffinity.currentThread());
        started = true;
    }

    @Override
    public int doWork() {
        return graph.run();
    }

    public Graph graph() {
        return graph;
    }

    /** Whether the thread is running its loop (after {@code onStart}). */
    public boolean isStarted() {
        return started;
    }

    /** The CPUs the worker thread was allowed on after {@code onStart} (null before). */
    public BitSet affinity() {
        return affinity.get();
    }

    /** Exceptions that escaped a loop (node bugs). */
    public long errors() {
        return errors.get();
    }

    public Throwable firstError() {
        return firstError.get();
    }

    /** The worker thread (null before start). */
    public Thread thread() {
        return runner == null ? null : runner.thread();
    }

    private void onError(Throwable t) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, t);
    }

    /** Stops the loop and joins the thread; idempotent. */
    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        }
    }

    @Override
    public String toString() {
        return "GraphWorker[" + roleName() + (cpus != null ? ", cpus=" + cpus : "") + "]";
    }

    /** Configures and starts a worker. */
    public static final class Builder {
        private final Graph graph;
        private IdleStrategy idle = new BackoffIdleStrategy();
        private BitSet cpus;
        private ThreadFactory threadFactory;

        private Builder(Graph graph) {
            this.graph = Objects.requireNonNull(graph, "graph");
        }

        /** Default: {@link BackoffIdleStrategy} with Agrona's defaults. */
        public Builder idleStrategy(IdleStrategy value) {
            idle = Objects.requireNonNull(value, "idleStrategy");
            return this;
        }

        /** Spin without pause: lowest latency, one core at 100% (benchmarks, dedicated cores). */
        public Builder busySpin() {
            idle = new BusySpinIdleStrategy();
            return this;
        }

        /** Pins the worker thread to {@code cpu} when it starts. */
        public Builder cpu(int cpu) {
            BitSet set = new BitSet();
            set.set(cpu);
            cpus = set;
            return this;
        }

        /** Pins the worker thread to {@code set} when it starts. */
        public Builder cpus(BitSet set) {
            cpus = (BitSet) set.clone();
            return this;
        }

        /**
         * Where the thread comes from (default: a platform thread named after the role). A factory
         * from {@code NetNamespace.threadFactory} runs the worker inside a namespace.
         */
        public Builder threadFactory(ThreadFactory value) {
            threadFactory = value;
            return this;
        }

        /** Starts the worker thread. */
        public GraphWorker start() {
            GraphWorker w = new GraphWorker(graph, cpus);
            w.runner = new AgentRunner(idle, w::onError, null, w);
            ThreadFactory factory = threadFactory != null ? threadFactory
                    : r -> Thread.ofPlatform().name(w.roleName()).unstarted(r);
            AgentRunner.startOnThread(w.runner, factory);
            return w;
        }
    }
}
