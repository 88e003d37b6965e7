package io.splitplane.dataplane.graph;

import io.splitplane.dataplane.port.Port;
import java.util.List;
import java.util.Objects;

/**
 * The input node of a port: {@code port-rx-<port>}, polled every loop, sends every packet it
 * receives to one next node (edge 1). Received packets carry the port's graph index in
 * {@code PacketVector.port} and zero metadata.
 */
public final class PortRxNode extends InputNode {
    /** Edge of every received packet. */
    public static final int NEXT = 1;

    private final Port port;
    private int portIndex = -1;

    /** Polls {@code port} and sends what it gets to the node called {@code next}. */
    public PortRxNode(Port port, String next) {
        super("port-rx-" + Objects.requireNonNull(port, "port").name(), List.of(DROP_NODE, next));
        this.port = port;
    }

    public Port port() {
        return port;
    }

    @Override
    protected void onBuild(Graph graph) {
        portIndex = graph.portIndex(port);
    }

    @Override
    protected int poll(final PacketVector out, final int max, final int[] nexts) {
        port.rx(out, max, portIndex);
        return NEXT;
    }
}
