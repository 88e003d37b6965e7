package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.channel.ChannelRxNode;
import io.splitplane.dataplane.channel.ChannelTxNode;
import io.splitplane.dataplane.channel.Channels;
import io.splitplane.dataplane.fib.FlowHash;
import io.splitplane.dataplane.fib.Quiescence;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.PortRxNode;
import io.splitplane.dataplane.graph.PortTxNode;
import io.splitplane.dataplane.port.Port;
import io.splitplane.dataplane.punt.KernelInjector;
import io.splitplane.dataplane.punt.PuntNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the IPv4 forwarding graph of one worker:
 *
 * <pre>
 *   fib-quiescent (input: the worker's quiescent point, first every loop)
 *   channel-tx (input: the worker's side of the channels) -------------------------------&gt; port-tx-&lt;q&gt;
 *   port-rx-&lt;p&gt; -&gt; eth-input -&gt; ip4-input -&gt; ip4-lookup -&gt; ip4-rewrite -----------------&gt; port-tx-&lt;q&gt;
 *                      |            |           |   \-&gt; ip4-local -&gt; channel-rx     |
 *                      +------------+-----------+---------+---------&gt; punt &lt;-------+  (to the kernel)
 *   every node -&gt; drop (reason counted by the node)
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
        return build(name, tables, reader, ports, portIds, options, new Channels(1), 0, Map.of());
    }

    /**
     * The graph of worker {@code worker} of a dataplane with channels and a kernel path.
     *
     * @param channels the dataplane's channels
     * @param worker   this worker's index (its side of every channel)
     * @param punt     the kernel path of each port, by port name (ports not listed drop their punts)
     */
    public static Graph build(final String name, final Ip4Tables tables, final Quiescence.Reader reader,
                              final List<? extends Port> ports, final int[] portIds, final Options options,
                              final Channels channels, final int worker,
                              final Map<String, ? extends KernelInjector> punt) {
        Objects.requireNonNull(tables, "tables");
        if (ports.size() != portIds.length) {
            throw new IllegalArgumentException("ports.size()=" + ports.size() + " != portIds.length=" + portIds.length);
        }
        final Graph.Builder b = Graph.builder(name).vectorSize(options.vectorSize()).timing(options.timing());
        final List<String> names = ports.stream().map(Port::name).toList();
        b.node(new FibQuiescentNode(reader));
        b.node(new ChannelTxNode(channels, worker, tables.fib(), tables.groups(), tables.nextHops(), portIds, names));
        for (final Port p : ports) {
            b.node(new PortRxNode(p, EthInputNode.NAME));
        }
        b.node(new EthInputNode());
        b.node(new Ip4InputNode());
        b.node(new Ip4LookupNode(tables.fib(), tables.groups(), options.flowHashSeed()));
        b.node(new Ip4LocalNode(channels));
        b.node(new ChannelRxNode(channels, worker));
        b.node(new Ip4RewriteNode(tables.nextHops(), portIds, names));
        b.node(new PuntNode(punt));
        for (final Port p : ports) {
            b.node(new PortTxNode(p));
        }
        return b.build();
    }
}
