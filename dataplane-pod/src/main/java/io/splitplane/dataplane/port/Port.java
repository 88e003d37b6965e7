package io.splitplane.dataplane.port;

import io.splitplane.dataplane.graph.PacketVector;

/**
 * A packet source and sink for the graph: the receive side feeds a {@code port-rx} input node,
 * the send side is behind a {@code port-tx} node, and frames the graph drops go back through
 * {@link #free}. Implementations: {@link AfXdpPort} (AF_XDP sockets on a netdev) and
 * {@link MemoryPort} (one side of a {@link MemoryPortPair}, for tests and benchmarks).
 *
 * <p><b>Frame ownership is exact.</b> A frame is in exactly one place: the port's free pool, the
 * port's receive path (FILL ring, kernel, RX ring), the graph (after {@link #rx}), or the send path
 * (TX ring, COMPLETION ring) until the port takes it back into its pool. {@link #rx} hands frames
 * to the caller; {@link #tx} and {@link #free} take them back, always all of them: what cannot be
 * sent is freed and counted as a tx drop, never lost silently.
 *
 * <p>A port is driven by one thread (the worker running its graph); every method of the hot path
 * is allocation-free and never throws for back-pressure (counts, not exceptions). Counters are
 * readable from any thread. All ports of one graph share one {@link PacketMemory}, so a frame
 * received on one port can be sent on another without copying.
 */
public interface Port extends AutoCloseable {
    /** Name for counters and node names ({@code port-rx-<name>}). */
    String name();

    /** The memory this port's frames live in. */
    PacketMemory memory();

    /**
     * Housekeeping, once per graph loop before any input node runs: take back sent frames,
     * refill the receive path, kick the kernel when it asks. Returns a work count (0 when idle).
     */
    int service();

    /**
     * Appends up to {@code max} received packets to {@code v} (from slot {@code v.count()}, which
     * it advances): address, length, {@code port = portIndex}, metadata zero. Returns how many.
     */
    int rx(PacketVector v, int max, int portIndex);

    /**
     * Takes ownership of the {@code n} frames at {@code addr[off..]} / {@code len[off..]}: queues
     * them for sending in order, and frees (and counts as {@link PortCounters#TX_DROPPED}) those
     * that do not fit. Returns how many were queued.
     */
    int tx(long[] addr, int[] len, int off, int n);

    /** Takes back one frame the graph will not send (any address inside the frame). */
    void free(long addr);

    /** {@link #free(long)} for {@code n} frames. */
    void free(long[] addr, int off, int n);

    /** A free frame's base address for building a packet, or -1 if the pool is empty. */
    long allocate();

    /** rx/tx/drop counters, readable from any thread. */
    PortCounters counters();

    /** Releases what the port holds (sockets, memory it owns). Stop the worker first. */
    @Override
    void close();
}
