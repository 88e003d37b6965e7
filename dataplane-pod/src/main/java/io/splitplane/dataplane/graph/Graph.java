package io.splitplane.dataplane.graph;

import io.splitplane.dataplane.port.PacketMemory;
import io.splitplane.dataplane.port.Port;
import io.splitplane.dataplane.port.PortCounters;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One packet graph: the nodes of one worker thread, their resolved edges, the ports they poll and
 * send on, and the dispatcher ({@link #run()}). Built once by {@link #builder}; afterwards only the
 * worker thread calls {@link #run()}, and any thread may read {@link #stats()}.
 *
 * <h2>Dispatch, one {@link #run()}</h2>
 * <ol>
 * <li>Every port's {@link Port#service()} (reap completions, refill, kick), in registration order.</li>
 * <li>Every {@link InputNode} is polled once, in registration order, each into a fresh vector of at
 *     most {@code vectorSize} packets; its packets are enqueued to its successors right away.</li>
 * <li>Internal nodes run while any has pending packets, in <b>FIFO order of becoming pending</b>:
 *     a node joins the tail of the run queue when its first vector arrives, and when it runs it
 *     processes every vector it had at that moment, one {@code process} call per vector (so one
 *     node's output from many inputs is merged into as few, as full vectors as possible before the
 *     node runs). A node that receives packets while it is not queued (a cycle, or a successor
 *     that already ran) joins the tail again. {@code run} returns when the queue is empty: between
 *     runs the graph holds no packets.</li>
 * </ol>
 * This is the order of CNDP's {@code cne_graph_walk} (sources, then a FIFO of pending nodes) and
 * the effect of VPP's pending-frame vector; it is deterministic for a given input.
 *
 * <h2>Enqueue</h2>
 * After a node returns, the engine moves its packets:
 * <ul>
 * <li>all to one edge, target with nothing pending: the vector object itself is handed over, no
 *     copy (the "home run"); also when the target's newest pending vector is full.</li>
 * <li>all to one edge, target already pending: appended into the target's newest vector (a copy
 *     of five primitive words per packet); what does not fit starts a new vector ("splitting":
 *     a node never gets more than {@link PacketVector#CAPACITY} packets per call).</li>
 * <li>mixed edges: each packet is appended to its target's newest vector (cached per edge for
 *     the call: five loads, five stores and a room check per packet), in packet order.</li>
 * </ul>
 * Vectors come from a preallocated free list (enough for every node to hold one and for the
 * inputs' bursts to split); the graph allocates only if a pathological graph needs more, and counts
 * it ({@link GraphStats#vectorAllocations()}), as CNDP counts stream reallocations.
 *
 * <h2>Counters and their cost</h2>
 * Per node: calls, vectors (calls with packets), packets, nanoseconds. The clock is read once per
 * node call ({@code System.nanoTime()}, ~20 ns with the TSC clocksource): each reading closes the
 * interval of the call that just finished, including its enqueue. That is under 0.1 ns per packet
 * with full vectors; {@code timing(false)} turns it off. Counters are plain {@code long[]} slots
 * written by the worker with opaque stores and read with opaque loads: no locks, no fences on x86.
 */
public final class Graph {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int LOOPS = 0;
    private static final int HOME_RUNS = 1;
    private static final int COPIED = 2;
    private static final int VECTOR_ALLOCS = 3;
    private static final int PENDING_GROWS = 4;

    private final String name;
    private final Node[] nodes;
    private final InputNode[] inputs;
    private final Port[] ports;
    private final PacketMemory memory;
    private final int vectorSize;
    private final boolean timing;
    private final Map<String, Node> byName;

    private final int[] nexts = new int[PacketVector.CAPACITY];
    /** Per-edge newest target vector, valid during one {@link #enqueueEach} call. */
    private final PacketVector[] edgeTails;
    private PacketVector[] free;
    private int freeCount;
    private final Node[] runQueue;
    private final int runMask;
    private int runHead;
    private int runCount;
    private final long[] counters = new long[8];

    private Graph(Builder b, List<Node> nodeList, List<Port> portList) {
        this.name = b.name;
        this.nodes = nodeList.toArray(Node[]::new);
        this.inputs = nodeList.stream().filter(Node::isInput).map(InputNode.class::cast).toArray(InputNode[]::new);
        this.ports = portList.toArray(Port[]::new);
        this.memory = portList.isEmpty() ? b.memory : portList.getFirst().memory();
        this.vectorSize = b.vectorSize;
        this.timing = b.timing;
        this.byName = new LinkedHashMap<>();
        for (Node n : nodes) {
            byName.put(n.name(), n);
        }
        int spare = 2 * nodes.length + 2 * inputs.length + 8;
        this.free = new PacketVector[spare * 2];
        for (int i = 0; i < spare; i++) {
            free[freeCount++] = new PacketVector();
        }
        this.runQueue = new Node[Integer.highestOneBit(Math.max(1, nodes.length)) * 2];
        this.runMask = runQueue.length - 1;
        this.edgeTails = new PacketVector[nodeList.stream().mapToInt(n -> n.nextNodes().size()).max().orElse(1)];
    }

    /** A builder for a graph named {@code name} (the worker's role name uses it). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    // ---- the dispatcher ---------------------------------------------------------------------------------

    /**
     * One dispatch loop (see the class comment). Worker thread only; allocation-free.
     *
     * @return work done: packets received by input nodes plus port housekeeping work (0 when idle)
     */
    public int run() {
        int work = 0;
        for (final Port p : ports) {
            work += p.service();
        }
        final boolean timed = timing;
        final int[] nx = nexts;
        long t0 = timed ? System.nanoTime() : 0L;
        for (final InputNode in : inputs) {
            final PacketVector v = takeVector();
            final int verdict = in.poll(v, vectorSize, nx);
            final int n = v.count;
            in.addStat(Node.CALLS, 1);
            if (n > 0) {
                in.addStat(Node.VECTORS, 1);
                in.addStat(Node.PACKETS, n);
                work += n;
                dispatch(in, v, verdict);
            } else {
                releaseVector(v);
            }
            if (timed) {
                final long t1 = System.nanoTime();
                in.addStat(Node.NANOS, t1 - t0);
                t0 = t1;
            }
        }
        while (runCount > 0) {
            final Node node = runQueue[runHead];
            runQueue[runHead] = null;
            runHead = (runHead + 1) & runMask;
            runCount--;
            node.scheduled = false;
            final int k = node.pendingCount;
            for (int j = 0; j < k && node.pendingCount > 0; j++) {
                final PacketVector v = node.popPending();
                final int n = v.count;
                final int verdict = node.process(v, nx);
                node.addStat(Node.CALLS, 1);
                node.addStat(Node.VECTORS, 1);
                node.addStat(Node.PACKETS, n);
                dispatch(node, v, verdict);
                if (timed) {
                    final long t1 = System.nanoTime();
                    node.addStat(Node.NANOS, t1 - t0);
                    t0 = t1;
                }
            }
        }
        add(LOOPS, 1);
        return work;
    }

    private void dispatch(final Node node, final PacketVector v, final int verdict) {
        if (v.count == 0) { // a node may compact its vector; an empty one goes nowhere
            releaseVector(v);
            return;
        }
        if (verdict >= 0) {
            moveAll(v, node.edges[verdict]);
            return;
        }
        if (verdict == Node.CONSUMED) {
            releaseVector(v);
            return;
        }
        if (verdict != Node.PER_PACKET) {
            throw new IllegalStateException("node '" + node.name() + "' returned " + verdict
                    + ": expected an edge >= 0, PER_PACKET or CONSUMED");
        }
        final int n = v.count;
        final int[] nx = nexts;
        final int first = nx[0];
        int i = 1;
        while (i < n && nx[i] == first) {
            i++;
        }
        if (i == n) {
            if (first == Node.CONSUMED) {
                releaseVector(v);
            } else {
                moveAll(v, node.edges[first]);
            }
            return;
        }
        enqueueEach(node.edges, v, n);
        releaseVector(v);
    }

    /**
     * The mixed case: each packet is appended to its target's newest vector. The newest vector of
     * each edge is cached for the duration of the call, so a packet costs five loads, five stores
     * and a room check (VPP's {@code vlib_buffer_enqueue_to_next}, CNDP's per-packet enqueue).
     */
    private void enqueueEach(final Node[] edges, final PacketVector v, final int n) {
        final int[] nx = nexts;
        final PacketVector[] tails = edgeTails;
        final long[] sAddr = v.addr;
        final int[] sLen = v.len;
        final int[] sPort = v.port;
        final int[] sMeta0 = v.meta0;
        final int[] sMeta1 = v.meta1;
        int copied = 0;
        try {
            for (int i = 0; i < n; i++) {
                final int e = nx[i];
                if (e == Node.CONSUMED) {
                    continue;
                }
                PacketVector t = tails[e];
                if (t == null || t.count == PacketVector.CAPACITY) {
                    t = tailForAppend(edges[e]); // edges[e] throws for an edge the node does not have
                    tails[e] = t;
                }
                final int c = t.count;
                t.addr[c] = sAddr[i];
                t.len[c] = sLen[i];
                t.port[c] = sPort[i];
                t.meta0[c] = sMeta0[i];
                t.meta1[c] = sMeta1[i];
                t.count = c + 1;
                copied++;
            }
        } finally {
            for (int e = 0; e < edges.length; e++) {
                tails[e] = null;
            }
        }
        add(COPIED, copied);
    }

    /** The vector to append to for {@code target}: its newest pending one, or a fresh one if full. */
    private PacketVector tailForAppend(final Node target) {
        PacketVector tail = target.pendingTail();
        if (tail == null || tail.count == PacketVector.CAPACITY) {
            tail = takeVector();
            push(target, tail);
        }
        return tail;
    }

    /** Every packet of {@code v} to {@code target}: hand the vector over if possible, else append. */
    private void moveAll(final PacketVector v, final Node target) {
        final PacketVector tail = target.pendingTail();
        if (tail == null || tail.count == PacketVector.CAPACITY) {
            push(target, v);
            add(HOME_RUNS, 1);
            return;
        }
        append(target, v, 0, v.count);
        releaseVector(v);
    }

    /** Copies packets {@code from..from+n-1} of {@code src} to the end of {@code target}'s pending vectors. */
    private void append(final Node target, final PacketVector src, int from, int n) {
        add(COPIED, n);
        while (n > 0) {
            final PacketVector tail = tailForAppend(target);
            final int at = tail.count;
            final int k = Math.min(n, PacketVector.CAPACITY - at);
            PacketVector.copy(src, from, tail, at, k);
            tail.count = at + k;
            from += k;
            n -= k;
        }
    }

    private void push(final Node target, final PacketVector v) {
        if (target.pushPending(v)) {
            add(PENDING_GROWS, 1);
        }
        if (!target.scheduled) {
            target.scheduled = true;
            runQueue[(runHead + runCount) & runMask] = target;
            runCount++;
        }
    }

    private PacketVector takeVector() {
        if (freeCount == 0) {
            add(VECTOR_ALLOCS, 1);
            return new PacketVector();
        }
        final PacketVector v = free[--freeCount];
        free[freeCount] = null;
        return v;
    }

    private void releaseVector(final PacketVector v) {
        v.count = 0;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = v;
    }

    private void add(final int slot, final long delta) {
        final long[] c = counters;
        LONGS.setOpaque(c, slot, c[slot] + delta);
    }

    private long counter(final int slot) {
        return (long) LONGS.getOpaque(counters, slot);
    }

    // ---- what nodes and tools see -----------------------------------------------------------------------

    public String name() {
        return name;
    }

    /** The packet memory shared by the graph's ports (null for a graph without ports and memory). */
    public PacketMemory memory() {
        return memory;
    }

    /** Packets per input poll (the rx burst). */
    public int vectorSize() {
        return vectorSize;
    }

    public boolean isTimed() {
        return timing;
    }

    /** Nodes in registration order (index order). */
    public List<Node> nodes() {
        return List.of(nodes);
    }

    /** The node called {@code nodeName}. */
    public Node node(String nodeName) {
        Node n = byName.get(nodeName);
        if (n == null) {
            throw new IllegalArgumentException("graph '" + name + "' has no node '" + nodeName + "'; nodes are "
                    + byName.keySet());
        }
        return n;
    }

    public Optional<Node> findNode(String nodeName) {
        return Optional.ofNullable(byName.get(nodeName));
    }

    /** Ports by graph index (the value of {@code PacketVector.port}). */
    public List<Port> ports() {
        return List.of(ports);
    }

    /** The port with graph index {@code index}. */
    public Port port(int index) {
        return ports[index];
    }

    /** Graph index of {@code port}, or -1. */
    public int portIndex(Port port) {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == port) {
                return i;
            }
        }
        return -1;
    }

    /** Counter of error {@code error} of node {@code nodeName}, by name. */
    public long errorCount(String nodeName, String error) {
        Node n = node(nodeName);
        for (int i = 0; i < n.errors().size(); i++) {
            if (n.errors().get(i).name().equals(error)) {
                return n.errorCount(i);
            }
        }
        throw new IllegalArgumentException("node '" + nodeName + "' has no error '" + error + "'; errors are "
                + n.errors().stream().map(NodeError::name).toList());
    }

    /** Counters of every node, error and port, read now (any thread; allocates). */
    public GraphStats stats() {
        List<GraphStats.NodeStats> nodeStats = new ArrayList<>();
        List<GraphStats.ErrorStats> errorStats = new ArrayList<>();
        for (Node n : nodes) {
            nodeStats.add(new GraphStats.NodeStats(n.name(), n.isInput(), n.stat(Node.CALLS), n.stat(Node.VECTORS),
                    n.stat(Node.PACKETS), n.stat(Node.NANOS)));
            for (int i = 0; i < n.errors().size(); i++) {
                NodeError e = n.errors().get(i);
                errorStats.add(new GraphStats.ErrorStats(n.name(), e.name(), e.description(), n.errorCount(i)));
            }
        }
        List<GraphStats.PortStats> portStats = new ArrayList<>();
        for (Port p : ports) {
            PortCounters c = p.counters();
            portStats.add(new GraphStats.PortStats(p.name(), c.snapshot()));
        }
        return new GraphStats(name, counter(LOOPS), counter(HOME_RUNS), counter(COPIED), counter(VECTOR_ALLOCS),
                counter(PENDING_GROWS), nodeStats, errorStats, portStats);
    }

    @Override
    public String toString() {
        return "Graph[" + name + ", nodes=" + byName.keySet() + "]";
    }

    /**
     * Collects nodes and ports, then {@link #build()} resolves every edge by name once and checks the
     * graph. Adds a {@link DropNode} if no node is called {@value Node#DROP_NODE}.
     */
    public static final class Builder {
        private final String name;
        private final List<Node> nodes = new ArrayList<>();
        private final List<Port> ports = new ArrayList<>();
        private int vectorSize = PacketVector.CAPACITY;
        private boolean timing = true;
        private PacketMemory memory;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Adds a node; a port node ({@link PortRxNode}, {@link PortTxNode}) also registers its port. */
        public Builder node(Node node) {
            Objects.requireNonNull(node, "node");
            if (node.graph != null) {
                throw new IllegalArgumentException("node '" + node.name() + "' already belongs to graph '"
                        + node.graph.name() + "': build one node instance per graph");
            }
            if (nodes.contains(node)) {
                throw new IllegalArgumentException("node '" + node.name() + "' added twice");
            }
            nodes.add(node);
            if (node instanceof PortRxNode rx) {
                port(rx.port());
            } else if (node instanceof PortTxNode tx) {
                port(tx.port());
            }
            return this;
        }

        public Builder nodes(Node... more) {
            for (Node n : more) {
                node(n);
            }
            return this;
        }

        /** Registers a port (idempotent); its graph index is its registration order. */
        public Builder port(Port port) {
            Objects.requireNonNull(port, "port");
            if (!ports.contains(port)) {
                ports.add(port);
            }
            return this;
        }

        /** Packets per input poll, 1..256 (default 256). */
        public Builder vectorSize(int value) {
            if (value < 1 || value > PacketVector.CAPACITY) {
                throw new IllegalArgumentException("vectorSize=" + value + " is outside 1.." + PacketVector.CAPACITY);
            }
            vectorSize = value;
            return this;
        }

        /** Whether to time node calls (default on; see the class comment for the cost). */
        public Builder timing(boolean value) {
            timing = value;
            return this;
        }

        /** The packet memory for a graph without ports (tests); with ports, theirs. */
        public Builder memory(PacketMemory value) {
            memory = value;
            return this;
        }

        /**
         * Resolves edges and builds.
         *
         * @throws IllegalArgumentException for a duplicate node name, an edge naming no node (the
         *         message lists the graph's nodes), an edge into an input node, or ports on different memories
         */
        public Graph build() {
            List<Node> all = new ArrayList<>(nodes);
            Map<String, Node> byName = new LinkedHashMap<>();
            for (Node n : all) {
                if (byName.putIfAbsent(n.name(), n) != null) {
                    throw new IllegalArgumentException("graph '" + name + "': two nodes are named '" + n.name() + "'");
                }
            }
            if (!byName.containsKey(Node.DROP_NODE)) {
                DropNode drop = new DropNode();
                all.add(drop);
                byName.put(drop.name(), drop);
            }
            for (Node n : all) {
                List<String> next = n.nextNodes();
                for (int e = 0; e < next.size(); e++) {
                    Node target = byName.get(next.get(e));
                    if (target == null) {
                        throw new IllegalArgumentException("graph '" + name + "': node '" + n.name() + "' edge " + e
                                + " names '" + next.get(e) + "', which is not a node of this graph; nodes are "
                                + byName.keySet());
                    }
                    if (target.isInput()) {
                        throw new IllegalArgumentException("graph '" + name + "': node '" + n.name() + "' edge " + e
                                + " names input node '" + target.name() + "', which cannot be given packets");
                    }
                }
            }
            for (int i = 1; i < ports.size(); i++) {
                if (ports.get(i).memory() != ports.getFirst().memory()) {
                    throw new IllegalArgumentException("graph '" + name + "': ports '" + ports.getFirst().name()
                            + "' and '" + ports.get(i).name() + "' use different packet memories; the ports of a"
                            + " graph share one, so frames move between them without copying");
                }
            }
            if (!ports.isEmpty() && memory != null && memory != ports.getFirst().memory()) {
                throw new IllegalArgumentException("graph '" + name + "': memory(...) differs from the ports' memory");
            }
            Graph g = new Graph(this, all, ports);
            for (int i = 0; i < all.size(); i++) {
                Node n = all.get(i);
                n.graph = g;
                n.index = i;
                List<String> next = n.nextNodes();
                n.edges = new Node[next.size()];
                for (int e = 0; e < next.size(); e++) {
                    n.edges[e] = byName.get(next.get(e));
                }
            }
            for (Node n : all) {
                n.onBuild(g);
            }
            return g;
        }
    }
}
