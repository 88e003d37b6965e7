package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.fib.FlowHash;
import io.splitplane.dataplane.fib.Quiescence;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.PortRxNode;
import io.splitplane.dataplane.graph.PortTxNode;
import io.splitplane.dataplane.port.Port;
import java.util.List;
import java.util.Objects;

/**
 * Builds the IPv4 forwarding graph of one worker:
 *
 * <pre>
 *   fib-quiescent (input: the worker's quiescent point, first every loop)
 *   port-rx-&lt;p&gt; -&gt; eth-input -&gt; ip4-input -&gt; ip4-lookup -&gt; ip4-rewrite -&gt; port-tx-&lt;q&gt;
 *                     \-----------\------------\-------------\--&gt; drop (reason counted by each node)
 * </pre>
 *
 * for each of the worker's ports p (all on one packet memory), with {@code ip4-rewrite} able to send
 * on each of them. Port ids in the tables ({@link Ip4Tables.Path#port()}, neighbours, port MACs) are
 * dataplane port ids: the caller says which id each port has.
 */
public final class Ip4Forwarder {
    private Ip4Forwarder() {
    }

    /** Options of a worker graph. */
    public record Options(boolean timing, int vectorSize, long flowHashSeed) {
        public static Options defaults() {
            return new Options(true, 256, FlowHash.DEFAULT_SEED);
        }

        public Options withTiming(final boolean value) {
            return new Options(value, vectorSize, flowHashSeed);
        }

        public Options withVectorSize(final int value) {
            return new Options(timing, value, flowHashSeed);
        }
    }

    /**
     * The graph of one worker.
     *
     * @param name    graph name (the worker thread is {@code graph-<name>})
     * @param tables  the dataplane's tables
     * @param reader  this worker's quiescence reader ({@link Ip4Tables#registerWorker()})
     * @param ports   the worker's ports, on one packet memory
     * @param portIds their dataplane port ids (same order)
     */
    public static Graph build(final String name, final Ip4Tables tables, final Quiescence.Reader reader,
                              final List<? extends Port> ports, final int[] portIds, final Options options) {
        Objects.requireNonNull(tables, "tables");
        if (ports.size() != portIds.length) {
            throw new IllegalArgumentException("ports.size()=" + ports.size() + " != portIds.length=" + portIds.length);
        }
        final Graph.Builder b = Graph.builder(name).vectorSize(options.vectorSize()).timing(options.timing());
        b.node(new FibQuiescentNode(reader));
        for (final Port p : ports) {
            b.node(new PortRxNode(p, EthInputNode.NAME));
        }
        b.node(new EthInputNode());
        b.node(new Ip4InputNode());
        b.node(new Ip4LookupNode(tables.fib(), tables.groups(), options.flowHashSeed()));
        b.node(new Ip4RewriteNode(tables.nextHops(), portIds, ports.stream().map(Port::name).toList()));
        for (final Port p : ports) {
            b.node(new PortTxNode(p));
        }
        return b.build();
    }
}
