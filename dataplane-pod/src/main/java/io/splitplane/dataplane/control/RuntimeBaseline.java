package io.splitplane.dataplane.control;

import io.splitplane.dataplane.graph.GraphStats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code clear runtime} remembers: the counters at the time of the clear, subtracted from later
 * snapshots. The counters themselves are written by the workers alone (single writer, no locks), so
 * the control side never resets them; Prometheus also needs them monotonic.
 */
final class RuntimeBaseline {
    private volatile Map<String, long[]> nodes = Map.of();
    private volatile Map<String, Long> errors = Map.of();

    /** Remembers {@code now} as zero. */
    void clear(List<GraphStats> now) {
        Map<String, long[]> n = new HashMap<>();
        Map<String, Long> e = new HashMap<>();
        for (GraphStats g : now) {
            for (GraphStats.NodeStats s : g.nodes()) {
                n.put(g.graph() + "/" + s.name(), new long[] {s.calls(), s.vectors(), s.packets(), s.nanos()});
            }
            for (GraphStats.ErrorStats s : g.errors()) {
                e.put(g.graph() + "/" + s.node() + "/" + s.error(), s.count());
            }
        }
        nodes = n;
        errors = e;
    }

    /** {@code s} minus the baseline. */
    GraphStats.NodeStats since(String graph, GraphStats.NodeStats s) {
        long[] b = nodes.getOrDefault(graph + "/" + s.name(), new long[4]);
        return new GraphStats.NodeStats(s.name(), s.input(), s.calls() - b[0], s.vectors() - b[1],
                s.packets() - b[2], s.nanos() - b[3]);
    }

    /** {@code s}'s count minus the baseline. */
    long since(String graph, GraphStats.ErrorStats s) {
        return s.count() - errors.getOrDefault(graph + "/" + s.node() + "/" + s.error(), 0L);
    }
}
