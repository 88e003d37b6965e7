package io.splitplane.dataplane.graph;

import io.splitplane.dataplane.port.Port;
import java.util.List;
import java.util.Objects;

/**
 * The send side of a port: {@code port-tx-<port>} hands every packet it gets to
 * {@link Port#tx}, which owns them from then on. Packets the port cannot queue (ring full) are
 * freed by the port and counted twice: as the port's {@code tx-dropped} and as this node's
 * {@code tx-full} error. It never spins waiting for room (CNDP's {@code eth_tx} does; under
 * overload that only moves the loss elsewhere and stalls every other node).
 */
public final class PortTxNode extends Node {
    /** Error: the port's send ring was full; the frame was freed. */
    public static final int ERR_TX_FULL = 0;

    private final Port port;

    public PortTxNode(Port port) {
        super("port-tx-" + Objects.requireNonNull(port, "port").name(), List.of(DROP_NODE),
                List.of(NodeError.of("tx-full", "the port's send ring was full; frame dropped")));
        this.port = port;
    }

    public Port port() {
        return port;
    }

    @Override
    protected int process(final PacketVector v, final int[] nexts) {
        final int n = v.count;
        final int sent = port.tx(v.addr, v.len, 0, n);
        if (sent != n) {
            countError(ERR_TX_FULL, n - sent);
        }
        return CONSUMED;
    }
}
