/**
 * The packet graph engine: VPP/CNDP-style vector processing in Java, one graph per worker thread,
 * no locks and no allocation on the fast path.
 *
 * <ul>
 * <li>{@link io.splitplane.dataplane.graph.PacketVector}: up to 256 packets as parallel primitive
 *     arrays (UMEM address, length, owning port, two metadata words); no object per packet.</li>
 * <li>{@link io.splitplane.dataplane.graph.Node} (internal nodes) and
 *     {@link io.splitplane.dataplane.graph.InputNode} (polled every loop): named next edges, edge 0
 *     is {@code drop}; named error counters ({@link io.splitplane.dataplane.graph.NodeError});
 *     {@code process(vector, nexts)} answers an edge, {@code PER_PACKET} or {@code CONSUMED}.</li>
 * <li>{@link io.splitplane.dataplane.graph.Graph}: built once (names resolved to indices, clear
 *     errors), then {@code run()} per loop: port service, inputs, pending nodes in FIFO order; bulk
 *     enqueue with whole-vector moves ("home run"); per-node counters and
 *     {@link io.splitplane.dataplane.graph.GraphStats} snapshots.</li>
 * <li>Built-in nodes: {@link io.splitplane.dataplane.graph.DropNode},
 *     {@link io.splitplane.dataplane.graph.PortRxNode}, {@link io.splitplane.dataplane.graph.PortTxNode}.</li>
 * <li>{@link io.splitplane.dataplane.graph.GraphWorker}: the graph as an Agrona agent on a platform
 *     thread, optionally pinned ({@link io.splitplane.dataplane.graph.CpuAffinity}), backing off when idle.</li>
 * </ul>
 */
package io.splitplane.dataplane.graph;
