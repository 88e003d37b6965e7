package io.splitplane.dataplane.graph;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of a graph's counters ({@link Graph#stats()}): what {@code show runtime},
 * {@code show errors} and {@code show interface} will print. Each counter is read once, without
 * stopping the worker, so counters of one snapshot may be a few packets apart.
 *
 * @param graph the graph's name
 * @param loops dispatch loops run
 * @param homeRuns vectors handed to the next node whole, without copying
 * @param copiedPackets packets copied by enqueue (mixed edges, or a target that already had packets)
 * @param vectorAllocations vectors allocated because the preallocated ones ran out (0 in a sane graph)
 * @param pendingGrows times a node's pending-vector ring had to grow (0 in a sane graph)
 */
public record GraphStats(String graph, long loops, long homeRuns, long copiedPackets, long vectorAllocations,
                         long pendingGrows, List<NodeStats> nodes, List<ErrorStats> errors, List<PortStats> ports) {
    public GraphStats {
        nodes = List.copyOf(nodes);
        errors = List.copyOf(errors);
        ports = List.copyOf(ports);
    }

    /**
     * One node's counters.
     *
     * @param calls {@code process} calls; for an input node, polls (most of them empty when idle)
     * @param vectors calls that carried packets
     * @param packets packets processed
     * @param nanos time spent in the node and its enqueue ({@code 0} with timing off)
     */
    public record NodeStats(String name, boolean input, long calls, long vectors, long packets, long nanos) {
        /** Average packets per vector (VPP's "vectors/call"), 0 if none. */
        public double packetsPerVector() {
            return vectors == 0 ? 0 : (double) packets / vectors;
        }

        /** Nanoseconds per packet, 0 if none. */
        public double nanosPerPacket() {
            return packets == 0 ? 0 : (double) nanos / packets;
        }
    }

    /** One error counter of one node. */
    public record ErrorStats(String node, String error, String description, long count) {
    }

    /** One port's counters by name ({@link io.splitplane.dataplane.port.PortCounters#NAMES}). */
    public record PortStats(String name, Map<String, Long> counters) {
        public PortStats {
            counters = Map.copyOf(counters);
        }

        public long get(String counter) {
            Long v = counters.get(counter);
            if (v == null) {
                throw new IllegalArgumentException("port '" + name + "' has no counter '" + counter + "'; counters are "
                        + counters.keySet());
            }
            return v;
        }
    }

    /** The node called {@code name}. */
    public NodeStats node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node '" + name + "' in graph '" + graph + "'"));
    }

    /** The port called {@code name}. */
    public PortStats port(String name) {
        return ports.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no port '" + name + "' in graph '" + graph + "'"));
    }

    /** {@code show runtime}, {@code show errors} and {@code show interface} as text. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("graph %s: %d loops, %d home runs, %d packets copied, %d vector allocations%n",
                graph, loops, homeRuns, copiedPackets, vectorAllocations));
        sb.append(String.format("%-28s %5s %12s %12s %14s %10s %9s%n", "Name", "Kind", "Calls", "Vectors", "Packets",
                "ns/pkt", "pkt/vec"));
        for (NodeStats n : nodes) {
            sb.append(String.format("%-28s %5s %12d %12d %14d %10.2f %9.1f%n", n.name(), n.input() ? "input" : "",
                    n.calls(), n.vectors(), n.packets(), n.nanosPerPacket(), n.packetsPerVector()));
        }
        for (ErrorStats e : errors) {
            if (e.count() != 0) {
                sb.append(String.format("%14d  %s/%s  (%s)%n", e.count(), e.node(), e.error(), e.description()));
            }
        }
        for (PortStats p : ports) {
            sb.append("port ").append(p.name()).append(':');
            p.counters().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(en -> sb.append(' ').append(en.getKey()).append('=').append(en.getValue()));
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }
}
