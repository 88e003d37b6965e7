/**
 * Ports: where packets enter and leave a graph.
 *
 * <ul>
 * <li>{@link io.splitplane.dataplane.port.Port}: rx into a vector, tx taking ownership, free,
 *     per-loop service, counters ({@link io.splitplane.dataplane.port.PortCounters}).</li>
 * <li>{@link io.splitplane.dataplane.port.PacketMemory}: the frames packets live in (a UMEM or
 *     off-heap memory); {@link io.splitplane.dataplane.port.FramePool}: free frames.</li>
 * <li>{@link io.splitplane.dataplane.port.AfXdpPort}: a netdev's queues through AF_XDP sockets on
 *     one UMEM, with optional exact frame accounting ({@link io.splitplane.dataplane.port.FrameAccounting}).</li>
 * <li>{@link io.splitplane.dataplane.port.MemoryPortPair}: two back-to-back in-memory ports for
 *     tests and benchmarks.</li>
 * </ul>
 */
package io.splitplane.dataplane.port;
