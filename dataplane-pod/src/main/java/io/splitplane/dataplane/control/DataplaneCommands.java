package io.splitplane.dataplane.control;

import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.fib.Adjacency;
import io.splitplane.dataplane.fib.EcmpGroupTable;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.FibRoute;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.fib.NeighbourTable;
import io.splitplane.dataplane.fib.NextHop;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.dataplane.ip4.Ip4Tables;
import io.splitplane.dataplane.netlink.AgentStats;
import io.splitplane.dataplane.netlink.MirroredLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dataplane's built-in control commands, registered into a {@link CommandRegistry}: the
 * {@code vppctl}-like views of the graph counters and the tables. Every command reads snapshots (graph
 * counters with opaque loads, tables under the tables' monitor) and never stops a worker.
 */
public final class DataplaneCommands {
    /** What {@code show channels} prints until the channel layer registers its own command. */
    public static final String NO_CHANNELS = "no channels exist\n";
    /** {@code show ip fib} lists at most this many routes; narrow it with a prefix. */
    static final int MAX_FIB_LINES = 10_000;

    private final Dataplane dataplane;
    private final RuntimeBaseline baseline = new RuntimeBaseline();

    private DataplaneCommands(Dataplane dataplane) {
        this.dataplane = dataplane;
    }

    /** Registers the built-in commands of {@code dataplane} into {@code registry}. */
    public static void register(CommandRegistry registry, Dataplane dataplane) {
        DataplaneCommands c = new DataplaneCommands(dataplane);
        registry.register("help", "help -- lists the commands", args -> registry.help());
        registry.register("show runtime", "show runtime -- per node: calls, vectors, packets, ns/packet, "
                + "packets/vector (since the last clear runtime)", noArgs(c::showRuntime));
        registry.register("clear runtime", "clear runtime -- zeroes what show runtime and show errors print",
                noArgs(c::clearRuntime));
        registry.register("show interfaces", "show interfaces -- ports: netdev, state, MAC, MTU, addresses, counters",
                noArgs(c::showInterfaces));
        registry.register("show ip fib", "show ip fib [prefix|address] -- routes (all, within a prefix, or the "
                + "one an address matches)", c::showIpFib);
        registry.register("show neighbors", "show neighbors -- the neighbour table (IPv4 address, MAC, port)",
                noArgs(c::showNeighbors));
        registry.register("show errors", "show errors -- drop and punt reasons with counts (since the last "
                + "clear runtime)", noArgs(c::showErrors));
        registry.register("show channels", "show channels -- UDP channels bound by applications",
                noArgs(() -> NO_CHANNELS));
        registry.register("show netlink", "show netlink -- the netlink agent's counters",
                noArgs(c::showNetlink));
    }

    private static CommandRegistry.Command noArgs(java.util.function.Supplier<String> body) {
        return args -> {
            if (!args.isEmpty()) {
                throw new IllegalArgumentException("this command takes no arguments, got " + args);
            }
            return body.get();
        };
    }

    private List<GraphStats> snapshot() {
        List<GraphStats> all = new ArrayList<>();
        for (Graph g : dataplane.graphs()) {
            all.add(g.stats());
        }
        return all;
    }

    String showRuntime() {
        StringBuilder sb = new StringBuilder();
        for (GraphStats g : snapshot()) {
            sb.append(String.format("Graph %s: %d loops%n", g.graph(), g.loops()));
            sb.append(String.format("%-24s %6s %14s %14s %16s %10s %9s%n", "Name", "Kind", "Calls", "Vectors",
                    "Packets", "ns/pkt", "pkt/vec"));
            for (GraphStats.NodeStats raw : g.nodes()) {
                GraphStats.NodeStats n = baseline.since(g.graph(), raw);
                sb.append(String.format("%-24s %6s %14d %14d %16d %10.2f %9.2f%n", n.name(),
                        n.input() ? "input" : "", n.calls(), n.vectors(), n.packets(), n.nanosPerPacket(),
                        n.packetsPerVector()));
            }
        }
        return sb.toString();
    }

    String clearRuntime() {
        baseline.clear(snapshot());
        return "runtime counters cleared\n";
    }

    String showErrors() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%14s  %-36s %s%n", "Count", "Node/Reason", "Description"));
        int lines = 0;
        // Summed over workers: one line per reason.
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, String> descriptions = new LinkedHashMap<>();
        for (GraphStats g : snapshot()) {
            for (GraphStats.ErrorStats e : g.errors()) {
                String key = e.node() + "/" + e.error();
                counts.computeIfAbsent(key, k -> new long[1])[0] += baseline.since(g.graph(), e);
                descriptions.putIfAbsent(key, e.description());
            }
        }
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            if (e.getValue()[0] != 0) {
                sb.append(String.format("%14d  %-36s %s%n", e.getValue()[0], e.getKey(), descriptions.get(e.getKey())));
                lines++;
            }
        }
        if (lines == 0) {
            sb.append("(no errors)\n");
        }
        return sb.toString();
    }

    String showInterfaces() {
        Map<Integer, MirroredLink> links = dataplane.agent().map(a -> a.links()).orElse(Map.of());
        Map<String, GraphStats.PortStats> ports = new LinkedHashMap<>();
        for (GraphStats g : snapshot()) {
            for (GraphStats.PortStats p : g.ports()) {
                ports.put(p.name(), p);
            }
        }
        Ip4Tables tables = dataplane.tables();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-4s %-12s %-16s %-7s %-17s %6s %10s %10s %10s  %s%n", "Id", "Name", "Netdev",
                "State", "MAC", "MTU", "rx-packets", "tx-packets", "drops", "Addresses"));
        for (int id = 0; id < dataplane.config().ports().size(); id++) {
            String name = dataplane.config().ports().get(id).name();
            String netdev = dataplane.config().ports().get(id).netdev();
            MirroredLink l = links.get(id);
            String state = l == null ? "-" : (l.up() ? "up" : "down") + (l.operState() == null ? ""
                    : "/" + l.operState().name().toLowerCase(java.util.Locale.ROOT));
            GraphStats.PortStats p = ports.get(name);
            sb.append(String.format("%-4d %-12s %-16s %-7s %-17s %6s %10d %10d %10d  %s%n", id, name, netdev, state,
                    Adjacency.macToString(tables.nextHops().portMac(id)), l == null ? "-" : Integer.toString(l.mtu()),
                    p == null ? 0 : p.get("rx-packets"), p == null ? 0 : p.get("tx-packets"),
                    p == null ? 0 : p.get("drops"), l == null ? "" : String.join(" ", l.addresses())));
        }
        return sb.toString();
    }

    String showIpFib(List<String> args) {
        if (args.size() > 1) {
            throw new IllegalArgumentException("show ip fib takes at most one prefix or address, got " + args);
        }
        Ip4Tables tables = dataplane.tables();
        List<FibRoute> routes;
        synchronized (tables) {
            if (args.isEmpty()) {
                routes = tables.fib().routes();
            } else {
                String arg = args.getFirst();
                int slash = arg.indexOf('/');
                if (slash < 0) {
                    routes = tables.fib().longestMatch(parseAddress(arg)).map(List::of).orElse(List.of());
                } else {
                    int prefix = parseAddress(arg.substring(0, slash));
                    int length = parseLength(arg.substring(slash + 1));
                    if ((prefix & (length == 0 ? 0 : -1 << (32 - length))) != prefix) {
                        throw new IllegalArgumentException("host bits set in '" + arg + "'");
                    }
                    routes = tables.fib().routesWithin(prefix, length);
                }
            }
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%d route(s)%n", routes.size()));
            int shown = 0;
            for (FibRoute r : routes) {
                if (shown++ == MAX_FIB_LINES) {
                    sb.append(String.format("... %d more; give a prefix%n", routes.size() - MAX_FIB_LINES));
                    break;
                }
                sb.append(String.format("%-18s %s%n", r.prefixString(), describe(tables, r.target())));
            }
            return sb.toString();
        }
    }

    private String describe(Ip4Tables tables, int target) {
        int kind = FibResult.kind(target);
        int id = FibResult.id(target);
        return switch (kind) {
            case FibResult.KIND_NEXT_HOP -> nextHop(tables, id);
            case FibResult.KIND_GROUP -> {
                StringBuilder sb = new StringBuilder("ecmp");
                EcmpGroupTable.Member[] members = tables.groups().members(id).orElse(new EcmpGroupTable.Member[0]);
                for (EcmpGroupTable.Member m : members) {
                    sb.append(" [").append(nextHop(tables, m.nextHopId())).append(" weight ").append(m.weight())
                            .append(']');
                }
                yield sb.toString();
            }
            case FibResult.KIND_LOCAL -> "local port " + portName(id);
            default -> FibResult.kindName(kind);
        };
    }

    private String nextHop(Ip4Tables tables, int id) {
        NextHop nh = tables.nextHops().get(id).orElse(null);
        if (nh == null) {
            return "next-hop " + id + " (gone)";
        }
        return switch (nh.type()) {
            case GATEWAY -> "via " + Ip4.toString(nh.gateway()) + " port " + portName(nh.port());
            case CONNECTED -> "connected port " + portName(nh.port());
            case DROP -> "drop";
        };
    }

    private String portName(int id) {
        return id >= 0 && id < dataplane.config().ports().size() ? dataplane.config().ports().get(id).name()
                : Integer.toString(id);
    }

    private static int parseAddress(String text) {
        if (!text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        try {
            return Ip4.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
    }

    private static int parseLength(String text) {
        try {
            int length = Integer.parseInt(text);
            if (length >= 0 && length <= 32) {
                return length;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("prefix length must be 0-32, was '" + text + "'");
    }

    String showNeighbors() {
        Ip4Tables tables = dataplane.tables();
        List<NeighbourTable.Entry> entries;
        synchronized (tables) {
            entries = tables.nextHops().neighbours().entries();
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-16s %-17s %s%n", "Address", "MAC", "Port"));
        for (NeighbourTable.Entry e : entries) {
            sb.append(String.format("%-16s %-17s %s%n", Ip4.toString(e.address()), Adjacency.macToString(e.mac()),
                    portName(e.port())));
        }
        return sb.toString();
    }

    String showNetlink() {
        return dataplane.agent().map(a -> {
            AgentStats s = a.stats();
            return String.format("kernel mirror: %d routes, %d nexthop objects; %d events, %d resyncs "
                            + "(%d after lost events), %d dumps restarted, %d apply errors; last resync %.1f ms%n",
                    s.routes(), s.nexthops(), s.events(), s.resyncs(), s.lostEvents(), s.dumpRestarts(),
                    s.applyErrors(), s.lastResyncNanos() / 1e6);
        }).orElse("the kernel is not mirrored (mirror.kernel is off)\n");
    }
}
