package io.splitplane.dataplane;

import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.dataplane.BusyPollConfig;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.api.dataplane.NeighbourConfig;
import io.splitplane.api.dataplane.NextHopConfig;
import io.splitplane.api.dataplane.PortConfig;
import io.splitplane.api.dataplane.RouteConfig;
import io.splitplane.api.dataplane.UmemConfig;
import io.splitplane.api.dataplane.WorkerConfig;
import io.splitplane.bpf.Classifier;
import io.splitplane.dataplane.channel.Channels;
import io.splitplane.dataplane.control.DataplaneCommands;
import io.splitplane.dataplane.fib.Adjacency;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.fib.Quiescence;
import io.splitplane.dataplane.graph.CpuAffinity;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.dataplane.graph.GraphWorker;
import io.splitplane.dataplane.ip4.Ip4Forwarder;
import io.splitplane.dataplane.ip4.Ip4Tables;
import io.splitplane.dataplane.netlink.NetlinkAgent;
import io.splitplane.dataplane.control.Observability;
import io.splitplane.dataplane.port.AfXdpPort;
import io.splitplane.dataplane.port.AfXdpPortConfig;
import io.splitplane.dataplane.port.NapiDeferral;
import io.splitplane.dataplane.port.XskMapLocator;
import io.splitplane.dataplane.port.XskMapRegistration;
import io.splitplane.dataplane.punt.PortPuntTap;
import io.splitplane.dataplane.punt.PuntPath;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netlink.Link;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netlink.XdpAttachMode;
import io.splitplane.kernel.netlink.XdpState;
import io.splitplane.kernel.xdp.XskBindMode;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A running IPv4 dataplane assembled from a {@link DataplaneConfig}, in the calling thread's network
 * namespace: AF_XDP ports (one UMEM per worker, shared by the worker's ports), in standalone mode the
 * XDP classifier on each port's netdev (loaded, attached, rules set, sockets registered), the
 * forwarding tables filled from the static routes and neighbours, and one {@link GraphWorker} per
 * worker running the {@link Ip4Forwarder} graph, with the {@link PuntPath kernel path} of every port
 * (packets the graph does not handle go back to the kernel as if received on their port) and the
 * {@link Channels} applications bind to.
 *
 * <pre>{@code
 * try (Dataplane dp = Dataplane.start(ConfigJson.readFile(path, DataplaneConfig.class), path.toString())) {
 *     dp.tables().setRoute(...);           // control API (one writer at a time; workers never wait)
 *     System.out.print(dp.showRuntime());
 * }                                        // workers stopped, classifiers detached, sockets closed
 * }</pre>
 *
 * <p>Start is all or nothing: a failure undoes every step done so far, in reverse, and rethrows.
 */
public final class Dataplane implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Dataplane.class.getName());

    private final DataplaneConfig config;
    private final Ip4Tables tables;
    private final List<AfXdpPort> ports;
    private final List<Graph> graphs;
    private final List<GraphWorker> workers;
    private final List<String> attached;
    private Channels channels;
    private PuntPath puntPath;
    /** Undo actions, newest first. */
    private final Deque<AutoCloseable> undo;
    private boolean closed;
    /** The netlink agent when the config mirrors the kernel ({@code "mirror": {"kernel": true}}), else null. */
    private NetlinkAgent agent;
    private Observability observability;

    private Dataplane(DataplaneConfig config, Ip4Tables tables, List<AfXdpPort> ports, List<Graph> graphs,
                      List<GraphWorker> workers, List<String> attached, Deque<AutoCloseable> undo) {
        this.config = config;
        this.tables = tables;
        this.ports = ports;
        this.graphs = graphs;
        this.workers = workers;
        this.attached = attached;
        this.undo = undo;
    }

    /**
     * Starts the dataplane of {@code config} in the calling thread's network namespace.
     *
     * @param source where the config came from (for machine-dependent config errors)
     * @throws InvalidConfigException for a CPU this machine does not have
     * @throws RuntimeException       from the kernel (no such netdev, bind refused, ...); nothing stays
     */
    public static Dataplane start(DataplaneConfig config, String source) {
        Objects.requireNonNull(config, "config");
        config.checkMachine(CpuAffinity.machineCpuCount(), source);
        Deque<AutoCloseable> undo = new ArrayDeque<>();
        List<AfXdpPort> ports = new ArrayList<>();
        for (int i = 0; i < config.ports().size(); i++) {
            ports.add(null);
        }
        List<Graph> graphs = new ArrayList<>();
        List<GraphWorker> workers = new ArrayList<>();
        List<String> attached = new ArrayList<>();
        Ip4Tables tables = new Ip4Tables(config.workers().size());
        undo.push(tables);
        Channels channels = new Channels(config.workers().size());
        undo.push(channels::workersStopped); // runs after the workers stopped (undo runs newest first)
        Map<String, PortPuntTap> punts = new HashMap<>();
        try (RtnetlinkSocket rtnl = RtnetlinkSocket.open()) {
            UmemConfig umem = config.umem();
            // Ports: one UMEM per worker, owned by the worker's first port.
            for (int w = 0; w < config.workers().size(); w++) {
                AfXdpPort owner = null;
                for (int id : config.workerPorts(w)) {
                    PortConfig pc = config.ports().get(id);
                    AfXdpPortConfig.Builder b = AfXdpPortConfig.builder(pc.netdev()).name(pc.name())
                            .queues(pc.queues()).mode(bindMode(pc)).frameCount(umem.frames())
                            .chunkSize(umem.frameSize()).ringSize(umem.ringSize())
                            .fillBatch(pc.tuning().fillBatch()).txBudget(pc.tuning().txBudget())
                            .maxKicksPerTx(pc.tuning().maxKicksPerTx()).needWakeup(pc.tuning().needWakeup())
                            .headroom(pc.tuning().headroom());
                    if (pc.busyPoll() != null) {
                        b.busyPoll(pc.busyPoll().timeoutUs(), pc.busyPoll().budget(), pc.busyPoll().holdUs());
                    }
                    AfXdpPort port = owner == null ? AfXdpPort.open(b.build()) : AfXdpPort.open(b.build(), owner);
                    undo.push(port);
                    if (owner == null) {
                        owner = port;
                    }
                    ports.set(id, port);
                    tables.setPortMac(id, portMac(rtnl, pc));
                }
            }
            // Standalone mode: our own classifier on each port that has rules.
            for (int id = 0; id < config.ports().size(); id++) {
                PortConfig pc = config.ports().get(id);
                if (pc.classifier() == null) {
                    continue;
                }
                Classifier c = Classifier.load();
                undo.push(c); // close() detaches what it attached
                XdpMode mode = c.attach(pc.netdev());
                c.replaceRules(pc.classifier());
                for (int q : pc.queues()) {
                    c.registerSocket(q, ports.get(id).socket(q).fd());
                }
                attached.add(pc.netdev() + " (" + mode + ", " + pc.classifier().rules().size() + " rules)");
            }
            // Pod mode: the CNI plugin attached the classifier and pinned its XSKMAP for us.
            for (int id = 0; id < config.ports().size(); id++) {
                PortConfig pc = config.ports().get(id);
                if (pc.xskMap() != null) {
                    Path map = pc.xskMap().equals(PortConfig.XSK_MAP_AUTO)
                            ? XskMapLocator.find(XskMapPaths.CONTAINER_ROOT, pc.netdev())
                            : Path.of(pc.xskMap());
                    XskMapRegistration r = XskMapRegistration.register(map, ports.get(id));
                    undo.push(r);
                    attached.add(pc.netdev() + " (joined " + map + ", queues " + r.queues() + ")");
                }
            }
            // Busy polling holds only with interrupt deferral on the netdev's NAPIs, which exist once
            // the XDP program is attached (above, or by the CNI before we started).
            for (PortConfig pc : config.ports()) {
                BusyPollConfig bp = pc.busyPoll();
                if (bp != null) {
                    undo.push(NapiDeferral.apply(pc.netdev(), bp.deferHardIrqs(), bp.groFlushTimeoutUs() * 1_000L,
                            bp.threadedNapi()));
                }
            }
            // The kernel path of each port (see PuntPath). Not for a netdev with a generic-mode XDP
            // program (ours or the CNI's): generic XDP would see the punted frame again and send it back
            // to the graph, forever.
            PuntPath punt = PuntPath.open();
            undo.push(punt);
            for (int id = 0; id < config.ports().size(); id++) {
                PortConfig pc = config.ports().get(id);
                XdpState xdp = rtnl.link(pc.netdev()).map(Link::xdp).orElse(XdpState.NONE);
                if (xdp.mode() == XdpAttachMode.SKB || xdp.genericProgramId() != 0) {
                    LOG.log(System.Logger.Level.WARNING, "port " + pc.name() + ": classifier in generic XDP mode; "
                            + "no kernel path (punted packets are dropped as punt/no-kernel-path)");
                    continue;
                }
                punts.put(pc.name(), punt.addPort(pc.netdev()));
            }
            for (NeighbourConfig n : config.neighbours()) {
                tables.setNeighbour(config.portIndex(n.port()), n.address(), Adjacency.parseMac(n.mac()));
            }
            for (RouteConfig r : config.routes()) {
                addRoute(config, tables, r);
            }
            NetlinkAgent agent = null;
            if (config.mirror().mirrorsKernel()) {
                java.util.Map<String, Integer> owned = new java.util.HashMap<>();
                for (int id = 0; id < config.ports().size(); id++) {
                    owned.put(config.ports().get(id).netdev(), id);
                }
                // Before the workers: their first packets already see the kernel's tables.
                agent = NetlinkAgent.start(config.name(), tables, owned, null, config.mirror().receiveBufferBytes());
                undo.push(agent);
            }
            // Workers.
            for (int w = 0; w < config.workers().size(); w++) {
                List<Integer> ids = config.workerPorts(w);
                List<AfXdpPort> mine = ids.stream().map(ports::get).toList();
                Quiescence.Reader reader = tables.registerWorker();
                undo.push(reader);
                Graph g = Ip4Forwarder.build(config.name() + "-" + w, tables, reader, mine,
                        ids.stream().mapToInt(Integer::intValue).toArray(), Ip4Forwarder.Options.defaults()
                                .withVectorSize(config.workers().get(w).vectorSize())
                                .withTiming(config.workers().get(w).timing()),
                        channels, w, punts);
                graphs.add(g);
                GraphWorker.Builder wb = GraphWorker.builder(g);
                WorkerConfig wc = config.workers().get(w);
                if (wc.cpus() != null) {
                    BitSet set = new BitSet();
                    wc.cpus().forEach(set::set);
                    wb.cpus(set);
                }
                if (wc.spins()) {
                    wb.busySpin();
                }
                GraphWorker worker = wb.start();
                undo.push(worker);
                workers.add(worker);
            }
            Dataplane dp = new Dataplane(config, tables, List.copyOf(ports), List.copyOf(graphs),
                    List.copyOf(workers), List.copyOf(attached), undo);
            dp.agent = agent;
            dp.channels = channels;
            dp.puntPath = punt;
            dp.observability = Observability.start(dp, config.control());
            undo.push(dp.observability);
            dp.observability.commands().register("show channels",
                    "show channels -- UDP channels bound by applications: address, mode, state, counters", args -> {
                        if (!args.isEmpty()) {
                            throw new IllegalArgumentException("this command takes no arguments, got " + args);
                        }
                        return channels.list().isEmpty() ? DataplaneCommands.NO_CHANNELS : channels.format();
                    });
            return dp;
        } catch (RuntimeException | Error e) {
            runUndo(undo, e);
            throw e;
        }
    }

    private static XskBindMode bindMode(PortConfig pc) {
        return switch (pc.mode()) {
            case COPY -> XskBindMode.COPY;
            case ZEROCOPY -> XskBindMode.ZEROCOPY;
            case AUTO -> XskBindMode.AUTO;
        };
    }

    private static long portMac(RtnetlinkSocket rtnl, PortConfig pc) {
        if (pc.mac() != null) {
            return Adjacency.parseMac(pc.mac());
        }
        Link link = rtnl.link(pc.netdev()).orElseThrow(() -> new IllegalStateException("netdev '" + pc.netdev()
                + "' of port '" + pc.name() + "' is gone"));
        return link.mac().map(m -> Adjacency.macOf(m.bytes())).orElseThrow(() -> new IllegalStateException(
                "netdev '" + pc.netdev() + "' has no Ethernet address; set ports[].mac"));
    }

    /** Installs a configured route into {@code tables}. */
    static void addRoute(DataplaneConfig config, Ip4Tables tables, RouteConfig r) {
        int prefix = r.address();
        int length = r.length();
        switch (r.type()) {
            case BLACKHOLE -> tables.setTarget(prefix, length, FibResult.blackhole());
            case UNREACHABLE -> tables.setTarget(prefix, length, FibResult.unreachable());
            case PROHIBIT -> tables.setTarget(prefix, length, FibResult.prohibit());
            case LOCAL -> tables.setTarget(prefix, length, FibResult.local(0));
            case UNICAST -> {
                List<Ip4Tables.Path> paths = new ArrayList<>();
                for (NextHopConfig nh : r.paths()) {
                    int gateway = nh.via() == null ? 0 : Ip4.parse(nh.via());
                    paths.add(new Ip4Tables.Path(config.portIndex(nh.port()), gateway, nh.weight()));
                }
                tables.setRoute(prefix, length, paths);
            }
        }
    }

    private static void runUndo(Deque<AutoCloseable> undo, Throwable failure) {
        while (!undo.isEmpty()) {
            AutoCloseable c = undo.pop();
            try {
                c.close();
            } catch (Exception | Error e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "closing " + c + " failed", e);
                }
            }
        }
    }

    public DataplaneConfig config() {
        return config;
    }

    /** The forwarding tables: the control API for routes and neighbours. */
    public Ip4Tables tables() {
        return tables;
    }

    /** The UDP channels applications open on this dataplane (and {@code show channels}). */
    public Channels channels() {
        return channels;
    }

    /** The kernel path of the ports (their punt TAPs). */
    public PuntPath puntPath() {
        return puntPath;
    }

    /** The netlink agent, when the kernel is mirrored. */
    public java.util.Optional<NetlinkAgent> agent() {
        return java.util.Optional.ofNullable(agent);
    }

    /**
     * The control commands ({@code splitplanectl}); register more with
     * {@code commands().register("show channels", ...)}.
     */
    public io.splitplane.dataplane.control.CommandRegistry commands() {
        return observability.commands();
    }

    /** The control socket and metrics endpoint. */
    public Observability observability() {
        return observability;
    }

    /** Ports by dataplane port id. */
    public List<AfXdpPort> ports() {
        return ports;
    }

    /** One graph per worker. */
    public List<Graph> graphs() {
        return graphs;
    }

    public List<GraphWorker> workers() {
        return workers;
    }

    /** Netdevs this dataplane attached its own classifier to (standalone mode). */
    public List<String> attachedClassifiers() {
        return attached;
    }

    /** Sum of a node error over all workers. */
    public long errorCount(String node, String error) {
        long n = 0;
        for (Graph g : graphs) {
            n += g.errorCount(node, error);
        }
        return n;
    }

    /** Counters of every worker graph, like {@code vppctl show runtime} + errors + interfaces. */
    public String showRuntime() {
        StringBuilder sb = new StringBuilder();
        for (Graph g : graphs) {
            GraphStats st = g.stats();
            sb.append(st.format());
        }
        return sb.toString();
    }

    /** A few lines about what was started. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("dataplane ").append(config.name()).append(": ").append(ports.size()).append(" port(s), ")
                .append(workers.size()).append(" worker(s), ").append(tables.fib().routeCount()).append(" route(s), ")
                .append(tables.nextHops().neighbours().size()).append(" neighbour(s)\n");
        for (int id = 0; id < ports.size(); id++) {
            AfXdpPort p = ports.get(id);
            PortConfig pc = config.ports().get(id);
            sb.append("  port ").append(id).append(' ').append(pc.name()).append(": netdev ").append(pc.netdev())
                    .append(", queues ").append(pc.queues()).append(", ").append(p.isZeroCopy() ? "zero-copy" : "copy")
                    .append(", mac ").append(Adjacency.macToString(tables.nextHops().portMac(id)))
                    .append(pc.classifier() != null ? ", classifier attached here" : "").append('\n');
        }
        if (agent != null) {
            sb.append("  kernel mirror: on (").append(agent.stats().routes()).append(" main-table prefixes)\n");
        }
        observability.controlSocket().ifPresent(p -> sb.append("  control socket: ").append(p).append('\n'));
        observability.metricsPort().ifPresent(p -> sb.append("  metrics: port ").append(p).append(" /metrics\n"));
        for (PortPuntTap t : puntPath.ports()) {
            sb.append("  kernel path of ").append(t.netdev()).append(": TAP ").append(t.tapName())
                    .append(" -> tc bpf_redirect to its ingress\n");
        }
        for (int w = 0; w < workers.size(); w++) {
            WorkerConfig wc = config.workers().get(w);
            sb.append("  worker ").append(w).append(" (").append(workers.get(w).roleName()).append("): ports ")
                    .append(wc.ports()).append(wc.cpus() != null ? ", cpus " + wc.cpus() : ", unpinned").append('\n');
        }
        return sb.toString();
    }

    /** Stops the workers, detaches the classifiers it attached, closes the sockets and tables. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        runUndo(undo, null);
    }
}
