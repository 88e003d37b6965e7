package io.splitplane.dataplane.graph;

import io.splitplane.dataplane.port.Port;
import io.splitplane.dataplane.port.PortCounters;
import java.util.List;

/**
 * Edge 0 of every node: gives each frame back to the port that received it (its owner, from
 * {@code PacketVector.port}) and counts it on that port's {@link PortCounters#DROPS}. The reason
 * was counted by the node that chose the drop ({@code drop(ERR_X)}), VPP-style; this node only
 * counts frames it could not give back ({@code no-owner}: a node wrote a bad port index, or the
 * graph has no ports).
 *
 * <p>Frees in runs of equal port (one call per run, normally one per vector).
 */
public final class DropNode extends Node {
    /** Error: the packet's port index names no port of the graph; its frame cannot be freed. */
    public static final int ERR_NO_OWNER = 0;

    private Port[] ports = new Port[0];

    public DropNode() {
        super(DROP_NODE, List.of(DROP_NODE), List.of(
                NodeError.of("no-owner", "dropped packet whose port index names no port; its frame was not freed")));
    }

    @Override
    protected void onBuild(Graph graph) {
        ports = graph.ports().toArray(Port[]::new);
    }

    @Override
    protected int process(final PacketVector v, final int[] nexts) {
        final int n = v.count;
        final int[] port = v.port;
        final Port[] owners = ports;
        int start = 0;
        while (start < n) {
            final int p = port[start];
            int end = start + 1;
            while (end < n && port[end] == p) {
                end++;
            }
            final int run = end - start;
            if (p >= 0 && p < owners.length) {
                final Port owner = owners[p];
                owner.free(v.addr, start, run);
                owner.counters().add(PortCounters.DROPS, run);
            } else {
                countError(ERR_NO_OWNER, run);
            }
            start = end;
        }
        return CONSUMED;
    }
}
