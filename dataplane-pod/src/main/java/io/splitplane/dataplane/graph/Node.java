package io.splitplane.dataplane.graph;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One node of a packet graph, shaped like a VPP node: a name, named next edges (edge 0 is always
 * {@value #DROP_NODE}), named error counters, and a frame-at-a-time {@link #process} that fills a
 * {@code nexts[]} array and lets the engine enqueue once.
 *
 * <pre>{@code
 * final class EthInput extends Node {
 *     static final int NEXT_IP4 = 1;                                  // edge 0 is "drop"
 *     static final int ERR_SHORT = 0, ERR_NOT_IP4 = 1;
 *
 *     EthInput() {
 *         super("eth-input", List.of("drop", "ip4-input"), List.of(
 *                 NodeError.of("too-short", "frame shorter than an Ethernet header"),
 *                 NodeError.of("not-ip4", "ethertype is not IPv4")));
 *     }
 *
 *     protected int process(PacketVector v, int[] nexts) {
 *         final MemorySegment m = graph().memory().segment();
 *         for (int i = 0, n = v.count(); i < n; i++) {
 *             if (v.len[i] < 14) { nexts[i] = drop(ERR_SHORT); continue; }
 *             nexts[i] = m.get(BE_U16, v.addr[i] + 12) == 0x0800 ? NEXT_IP4 : drop(ERR_NOT_IP4);
 *         }
 *         return PER_PACKET;      // or: return NEXT_IP4 when every packet goes there
 *     }
 * }
 * }</pre>
 *
 * <p><b>The contract of {@code process}.</b> It gets a non-empty vector and the graph's
 * {@code nexts} array, and answers with one of:
 * <ul>
 * <li>an edge index {@code >= 0}: every packet goes to that edge ({@code nexts} is not read). The
 *     engine moves the whole vector without copying when the target has nothing pending.</li>
 * <li>{@link #PER_PACKET}: {@code nexts[i]} holds the edge of packet {@code i} (or
 *     {@link #CONSUMED}); the engine enqueues runs of equal edges in bulk, and still moves the
 *     vector whole when all are equal.</li>
 * <li>{@link #CONSUMED}: the node took every packet out of the graph (sent, freed, queued
 *     elsewhere).</li>
 * </ul>
 * A node never throws, allocates or logs on this path: a bad packet is a counted drop
 * ({@code nexts[i] = drop(ERR_X)}). Returning an edge that does not exist is a bug and throws.
 *
 * <p>A node instance belongs to one graph (one worker thread); build one instance per worker.
 * Counters are written only by that thread and are readable from any thread ({@link Graph#stats()}).
 */
public abstract class Node {
    /** Name of the node behind edge 0. */
    public static final String DROP_NODE = "drop";
    /** Edge 0: the drop node. */
    public static final int DROP = 0;
    /** {@code process} result: look at {@code nexts[i]} for each packet. */
    public static final int PER_PACKET = -1;
    /** {@code process} result or {@code nexts[i]}: the node took the packet(s) out of the graph. */
    public static final int CONSUMED = -2;

    static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Indices into {@link #stats}: one cache line per node. */
    static final int CALLS = 0;
    static final int VECTORS = 1;
    static final int PACKETS = 2;
    static final int NANOS = 3;
    private static final int STATS_SLOTS = 8;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,63}");

    private final String name;
    private final List<String> nextNodes;
    private final List<NodeError> errors;

    // ---- runtime, set when a graph is built; touched only by the worker thread ----------------------
    Graph graph;
    int index = -1;
    /** Edge index to target node. */
    Node[] edges;
    /** calls, vectors, packets, nanos: single writer (the worker), opaque stores, readable anywhere. */
    final long[] stats = new long[STATS_SLOTS];
    /** One counter per {@link #errors()} entry, same discipline as {@link #stats}. */
    final long[] errorCounts;
    /** Vectors waiting for this node: a ring of references. */
    PacketVector[] pending = new PacketVector[4];
    int pendingHead;
    int pendingCount;
    /** Whether the node is on the graph's run queue. */
    boolean scheduled;

    /**
     * @param name unique within the graph: 1..64 of letters, digits and {@code - _ . : / @}
     *        (lower-case kebab-case by convention; port nodes carry the interface name)
     * @param nextNodes names of the nodes behind edges 0, 1, ...; element 0 must be {@value #DROP_NODE}
     * @param errors the node's drop reasons; {@link #drop(int)} takes an index into this list
     */
    protected Node(String name, List<String> nextNodes, List<NodeError> errors) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("node name='" + name
                    + "' must be 1..64 characters of letters, digits, '-', '_', '.', ':', '/', '@'");
        }
        this.name = name;
        this.nextNodes = List.copyOf(Objects.requireNonNull(nextNodes, "nextNodes"));
        this.errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
        if (this.nextNodes.isEmpty() || !DROP_NODE.equals(this.nextNodes.getFirst())) {
            throw new IllegalArgumentException("node '" + name + "': edge 0 must be '" + DROP_NODE + "', nextNodes="
                    + this.nextNodes);
        }
        Set<String> seen = new HashSet<>();
        for (NodeError e : this.errors) {
            if (!seen.add(e.name())) {
                throw new IllegalArgumentException("node '" + name + "' declares error '" + e.name() + "' twice");
            }
        }
        this.errorCounts = new long[Math.max(1, this.errors.size())];
    }

    /** A node without error counters. */
    protected Node(String name, List<String> nextNodes) {
        this(name, nextNodes, List.of());
    }

    /**
     * Processes a vector of {@code v.count() >= 1} packets; see the class comment for the result.
     *
     * @param v the packets; the node may rewrite any slot (and the packets' bytes)
     * @param nexts the per-packet edge array, read only if the result is {@link #PER_PACKET}
     */
    protected abstract int process(PacketVector v, int[] nexts);

    /**
     * Called once when the graph is built, after every edge is resolved: cache what the hot path
     * needs ({@code graph().memory()}, port indices). Default: nothing.
     */
    protected void onBuild(Graph graph) {
    }

    /** Counts error {@code error} once and returns {@link #DROP}: {@code nexts[i] = drop(ERR_X);}. */
    protected final int drop(final int error) {
        final long[] c = errorCounts;
        LONGS.setOpaque(c, error, c[error] + 1);
        return DROP;
    }

    /** Counts error {@code error} {@code n} times (for a node that drops a batch itself). */
    protected final void countError(final int error, final long n) {
        final long[] c = errorCounts;
        LONGS.setOpaque(c, error, c[error] + n);
    }

    public final String name() {
        return name;
    }

    /** Names behind edges 0, 1, ... (0 is {@value #DROP_NODE}). */
    public final List<String> nextNodes() {
        return nextNodes;
    }

    public final List<NodeError> errors() {
        return errors;
    }

    /** Index of the edge to {@code nodeName}, or -1: for nodes that build their edge list at run time. */
    public final int edge(String nodeName) {
        return nextNodes.indexOf(nodeName);
    }

    /** The graph this node was built into; null before. */
    public final Graph graph() {
        return graph;
    }

    /** Index of this node in its graph (registration order); -1 before build. */
    public final int index() {
        return index;
    }

    /** Whether this node is polled every loop (an {@link InputNode}). */
    public boolean isInput() {
        return false;
    }

    /** Counter of error {@code error}, readable from any thread. */
    public final long errorCount(int error) {
        Objects.checkIndex(error, errors.size());
        return (long) LONGS.getOpaque(errorCounts, error);
    }

    final long stat(int slot) {
        return (long) LONGS.getOpaque(stats, slot);
    }

    final void addStat(final int slot, final long delta) {
        final long[] s = stats;
        LONGS.setOpaque(s, slot, s[slot] + delta);
    }

    // ---- pending vectors (worker thread only) -----------------------------------------------------------

    /** The newest pending vector, or null. */
    final PacketVector pendingTail() {
        return pendingCount == 0 ? null : pending[(pendingHead + pendingCount - 1) & (pending.length - 1)];
    }

    /** Appends {@code v}; grows the ring (an allocation, counted by the graph) when full. */
    final boolean pushPending(final PacketVector v) {
        boolean grew = false;
        if (pendingCount == pending.length) {
            final PacketVector[] bigger = new PacketVector[pending.length * 2];
            for (int k = 0; k < pendingCount; k++) {
                bigger[k] = pending[(pendingHead + k) & (pending.length - 1)];
            }
            pending = bigger;
            pendingHead = 0;
            grew = true;
        }
        pending[(pendingHead + pendingCount) & (pending.length - 1)] = v;
        pendingCount++;
        return grew;
    }

    /** Removes and returns the oldest pending vector. */
    final PacketVector popPending() {
        final PacketVector v = pending[pendingHead];
        pending[pendingHead] = null;
        pendingHead = (pendingHead + 1) & (pending.length - 1);
        pendingCount--;
        return v;
    }

    /** Packets waiting for this node (worker thread, or tests between runs). */
    public final int pendingPackets() {
        int n = 0;
        for (int k = 0; k < pendingCount; k++) {
            n += pending[(pendingHead + k) & (pending.length - 1)].count;
        }
        return n;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + "]";
    }
}
