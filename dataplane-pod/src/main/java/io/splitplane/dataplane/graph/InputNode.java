package io.splitplane.dataplane.graph;

import java.util.List;

/**
 * A node the graph polls on every loop (VPP's {@code VLIB_NODE_TYPE_INPUT}, CNDP's source node):
 * typically a port's receive side. Nothing can enqueue to an input node; the graph gives it an
 * empty vector to fill instead.
 *
 * <p>{@link #poll} has the same result contract as {@link Node#process}: an edge for the whole
 * vector, {@link #PER_PACKET}, or {@link #CONSUMED}. An input node that found nothing sets no
 * packets and may return anything (the result is ignored for an empty vector).
 */
public abstract class InputNode extends Node {
    protected InputNode(String name, List<String> nextNodes, List<NodeError> errors) {
        super(name, nextNodes, errors);
    }

    protected InputNode(String name, List<String> nextNodes) {
        super(name, nextNodes);
    }

    /**
     * Fills {@code out} (empty on entry) with at most {@code max} packets, sets its count, and
     * says where they go.
     *
     * @param max the graph's rx burst ({@code Graph.Builder.vectorSize}), at most {@link PacketVector#CAPACITY}
     */
    protected abstract int poll(PacketVector out, int max, int[] nexts);

    /** Input nodes are polled, never given packets. */
    @Override
    protected final int process(PacketVector v, int[] nexts) {
        throw new IllegalStateException("input node '" + name() + "' cannot be given packets");
    }

    @Override
    public final boolean isInput() {
        return true;
    }
}
