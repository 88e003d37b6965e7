package io.splitplane.dataplane.metrics;

import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.dataplane.netlink.AgentStats;
import io.splitplane.dataplane.port.PortCounters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dataplane's counters in the Prometheus text exposition format (version 0.0.4): the same numbers
 * {@code show runtime}, {@code show errors} and {@code show interfaces} print, raw (never reset by
 * {@code clear runtime}: Prometheus counters must only grow).
 *
 * <pre>
 * splitplane_node_packets_total{dataplane="r1",graph="r1-0",node="ip4-lookup"} 20000
 * splitplane_node_errors_total{dataplane="r1",graph="r1-0",node="ip4-lookup",reason="no-route"} 3
 * splitplane_port_rx_packets_total{dataplane="r1",graph="r1-0",port="left"} 20000
 * splitplane_fib_routes{dataplane="r1"} 12
 * </pre>
 */
public final class PrometheusExposition {
    /** The content type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusExposition() {
    }

    /** One metric family: name, type, help and its samples. */
    private static final class Family {
        final String name;
        final String type;
        final String help;
        final List<String> samples = new ArrayList<>();

        Family(String name, String type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        void add(String labels, double value) {
            samples.add(name + "{" + labels + "} " + format(value));
        }
    }

    /** The whole scrape for {@code dataplane}. */
    public static String scrape(Dataplane dataplane) {
        String dp = "dataplane=\"" + escape(dataplane.config().name()) + "\"";
        Map<String, Family> families = new LinkedHashMap<>();
        Family calls = family(families, "splitplane_node_calls_total", "counter", "Node dispatch calls (polls for input nodes)");
        Family vectors = family(families, "splitplane_node_vectors_total", "counter", "Node calls that carried packets");
        Family packets = family(families, "splitplane_node_packets_total", "counter", "Packets processed by the node");
        Family seconds = family(families, "splitplane_node_seconds_total", "counter", "Time spent in the node");
        Family errors = family(families, "splitplane_node_errors_total", "counter", "Packets dropped or punted by the node, by reason");
        Map<String, Family> portFamilies = new LinkedHashMap<>();
        for (String counter : PortCounters.NAMES) {
            portFamilies.put(counter, family(families, "splitplane_port_" + counter.replace('-', '_') + "_total", "counter",
                    "Port counter " + counter));
        }
        for (Graph g : dataplane.graphs()) {
            GraphStats s = g.stats();
            String gl = dp + ",graph=\"" + escape(s.graph()) + "\"";
            for (GraphStats.NodeStats n : s.nodes()) {
                String l = gl + ",node=\"" + escape(n.name()) + "\"";
                calls.add(l, n.calls());
                vectors.add(l, n.vectors());
                packets.add(l, n.packets());
                seconds.add(l, n.nanos() / 1e9);
            }
            for (GraphStats.ErrorStats e : s.errors()) {
                errors.add(gl + ",node=\"" + escape(e.node()) + "\",reason=\"" + escape(e.error()) + "\"", e.count());
            }
            for (GraphStats.PortStats p : s.ports()) {
                String l = gl + ",port=\"" + escape(p.name()) + "\"";
                for (Map.Entry<String, Long> c : p.counters().entrySet()) {
                    Family f = portFamilies.get(c.getKey());
                    if (f != null) {
                        f.add(l, c.getValue());
                    }
                }
            }
        }
        synchronized (dataplane.tables()) {
            family(families, "splitplane_fib_routes", "gauge", "IPv4 routes in the FIB")
                    .add(dp, dataplane.tables().fib().routeCount());
            family(families, "splitplane_neighbours", "gauge", "Resolved IPv4 neighbours")
                    .add(dp, dataplane.tables().nextHops().neighbours().size());
        }
        dataplane.agent().ifPresent(a -> {
            AgentStats st = a.stats();
            family(families, "splitplane_netlink_events_total", "counter", "Kernel notifications applied").add(dp, st.events());
            family(families, "splitplane_netlink_resyncs_total", "counter", "Full resynchronisations with the kernel")
                    .add(dp, st.resyncs());
            family(families, "splitplane_netlink_lost_events_total", "counter", "Times the kernel dropped notifications (ENOBUFS)")
                    .add(dp, st.lostEvents());
            family(families, "splitplane_netlink_apply_errors_total", "counter", "Notifications or dumps that failed to apply")
                    .add(dp, st.applyErrors());
        });
        StringBuilder sb = new StringBuilder();
        for (Family f : families.values()) {
            sb.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
            sb.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            for (String sample : f.samples) {
                sb.append(sample).append('\n');
            }
        }
        return sb.toString();
    }

    private static Family family(Map<String, Family> families, String name, String type, String help) {
        return families.computeIfAbsent(name, n -> new Family(n, type, help));
    }

    /** Label value escaping of the text format: backslash, double quote and newline. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%.9g", value);
    }
}
