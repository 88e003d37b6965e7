package io.splitplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.control.ControlClient;
import io.splitplane.dataplane.fib.FibRoute;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.xdp.XskStatistics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The vRouter scenario, step by step, shared by the printing demo ({@link VrouterDemo}) and the
 * asserting end-to-end test: every step does one thing to the real network and returns what it
 * observed, and the caller prints or asserts it.
 *
 * <pre>
 *   net1 10.71.1.0/24          net2 10.71.2.0/24             net3 10.71.3.0/24
 *  client1 .10 ==veth== .1 vrouter1 .1 ==veth== .2 vrouter2 .1 ==veth== .10 client2
 *                      [classifier on both netdevs:      [kernel only]
 *                       transit UDP -> AF_XDP -> graph,
 *                       the rest -> kernel]
 *                      zebra + ospfd                      zebra + ospfd
 * </pre>
 *
 * Clients have a default route to their vRouter; the vRouters know only their connected networks
 * until OSPF (FRR) teaches them the far client network. On vrouter1 the classifier redirects UDP
 * between the two client networks into the CNET graph; ARP, ICMP, OSPF and iperf3's TCP control
 * connection stay with the kernel (which forwards with {@code ip_forward=1}).
 *
 * <p>The graph has no routes of its own: its config says {@code "mirror": {"kernel": true}}, so the
 * netlink agent mirrors vrouter1's kernel (connected routes, OSPF's routes through their nexthop
 * objects, ARP) into the FIB, and a withdrawn route or a restart follows the kernel. The dataplane
 * serves its control socket in the scenario's directory; {@link #ctl} talks to it as
 * {@code splitplanectl} does.
 */
public final class VrouterScenario implements AutoCloseable {
    public static final String NET1 = "10.71.1.0/24";
    public static final String NET2 = "10.71.2.0/24";
    public static final String NET3 = "10.71.3.0/24";
    public static final String CLIENT1 = "10.71.1.10";
    public static final String VR1_NET1 = "10.71.1.1";
    public static final String VR1_NET2 = "10.71.2.1";
    public static final String VR2_NET2 = "10.71.2.2";
    public static final String VR2_NET3 = "10.71.3.1";
    public static final String CLIENT2 = "10.71.3.10";
    /** The graph port names on vrouter1. */
    public static final String PORT_NET1 = "net1";
    public static final String PORT_NET2 = "net2";
    /** iperf3 through the graph uses this UDP port. */
    public static final int GRAPH_PORT = 5201;
    /** UDP to this port is passed to vrouter1's kernel by the classifier: the anchor on the same path. */
    public static final int KERNEL_ANCHOR_PORT = 5202;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Lab lab;
    private String client1;
    private String vrouter1;
    private String vrouter2;
    private String client2;
    private Lab.Veth net1;
    private Lab.Veth net2;
    private Lab.Veth net3;
    private Path configFile;
    private Path controlSocket;
    private NetNamespace vr1Namespace;
    private Dataplane dataplane;
    private OspfRouter ospf1;
    private OspfRouter ospf2;

    public VrouterScenario(Lab lab) {
        this.lab = lab;
    }

    // ---------------------------------------------------------------- step 1: topology

    /** Namespaces, veths, addresses, the clients' default routes, forwarding on the vRouters. */
    public String buildTopology() {
        client1 = lab.namespace("client1");
        vrouter1 = lab.namespace("vr1");
        vrouter2 = lab.namespace("vr2");
        client2 = lab.namespace("client2");
        for (String ns : List.of(client1, vrouter1, vrouter2, client2)) {
            sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        }
        // INTEGRATION POINT (device plugin, issue 6; CNI, issue 7; not on main yet): vrouter1's ends are
        // made straight in its namespace here. The Kubernetes way makes them on the node, lets the device
        // plugin serve them as a pool to a kubelet stand-in, runs the CNI binary with ADD for each
        // (deviceID, netns, ifname) to move them in and attach the classifier, and starts the dataplane
        // from the env and mounts that Allocate returned, its ports in pod mode ("xskMap": the pinned
        // map under the mount) instead of with their own "classifier".
        net1 = lab.veth(client1, vrouter1);
        net2 = lab.veth(vrouter1, vrouter2);
        net3 = lab.veth(vrouter2, client2);
        Commands.ipIn(client1, "addr", "add", CLIENT1 + "/24", "dev", net1.a());
        Commands.ipIn(vrouter1, "addr", "add", VR1_NET1 + "/24", "dev", net1.b());
        Commands.ipIn(vrouter1, "addr", "add", VR1_NET2 + "/24", "dev", net2.a());
        Commands.ipIn(vrouter2, "addr", "add", VR2_NET2 + "/24", "dev", net2.b());
        Commands.ipIn(vrouter2, "addr", "add", VR2_NET3 + "/24", "dev", net3.a());
        Commands.ipIn(client2, "addr", "add", CLIENT2 + "/24", "dev", net3.b());
        Commands.ipIn(client1, "route", "add", "default", "via", VR1_NET1);
        Commands.ipIn(client2, "route", "add", "default", "via", VR2_NET3);
        sysctl(vrouter1, "net.ipv4.ip_forward=1");
        sysctl(vrouter2, "net.ipv4.ip_forward=1");
        // UDP leaves the clients with a full checksum: the graph forwards frames as they are, and a
        // checksum left for veth's offload would reach the other client unfinished.
        ethtool(client1, "-K", net1.a(), "tx", "off");
        ethtool(client2, "-K", net3.b(), "tx", "off");
        return String.join("\n",
                "net1  client1 (%s) %s %s  ==veth==  %s %s vrouter1 (%s)".formatted(client1, net1.a(), CLIENT1,
                        VR1_NET1, net1.b(), vrouter1),
                "net2  vrouter1 (%s) %s %s  ==veth==  %s %s vrouter2 (%s)".formatted(vrouter1, net2.a(), VR1_NET2,
                        VR2_NET2, net2.b(), vrouter2),
                "net3  vrouter2 (%s) %s %s  ==veth==  %s %s client2 (%s)".formatted(vrouter2, net3.a(), VR2_NET3,
                        CLIENT2, net3.b(), client2),
                "default routes: client1 via " + VR1_NET1 + ", client2 via " + VR2_NET3
                        + "; ip_forward=1 on both vRouters; no other routes yet") + "\n";
    }

    private static void sysctl(String ns, String... settings) {
        List<String> cmd = new ArrayList<>(List.of("sysctl", "-qw"));
        cmd.addAll(List.of(settings));
        Commands.execIn(ns, 10, cmd.toArray(String[]::new)).orThrow();
    }

    private static void ethtool(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ethtool"));
        cmd.addAll(List.of(args));
        Commands.execIn(ns, 10, cmd.toArray(String[]::new)).orThrow();
    }

    // ---------------------------------------------------------------- step 2: the dataplane on vrouter1

    /**
     * Writes vrouter1's dataplane config and starts the dataplane in vrouter1: the classifier on both
     * of its netdevs, AF_XDP sockets on one UMEM, the IPv4 graph on one worker. Returns its summary.
     */
    public String startDataplane(Path workDir) {
        configFile = workDir.resolve("vrouter1.json");
        controlSocket = workDir.resolve("vrouter1.sock");
        try {
            Files.writeString(configFile, dataplaneConfig());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DataplaneConfig cfg = ConfigJson.readFile(configFile, DataplaneConfig.class);
        vr1Namespace = NetNamespace.open(vrouter1);
        dataplane = vr1Namespace.call(() -> Dataplane.start(cfg, configFile.toString()));
        return dataplane.summary();
    }

    /** The dataplane config of vrouter1, as written to its file. */
    public String dataplaneConfig() {
        // Transit UDP between the client networks only: UDP to the vRouter itself stays with its kernel.
        // The first rule keeps one UDP port with the kernel, the anchor that iperfUdpThroughKernel measures
        // on the same path.
        String rule = """
                {"rules": [{"name": "anchor-kernel", "action": "pass", "protocol": "udp", "dstPorts": "%d"},
                           {"name": "transit-udp", "action": "redirect", "ipVersion": 4, "protocol": "udp",
                            "dstPrefixes": ["%s", "%s"]}]}""".formatted(KERNEL_ANCHOR_PORT, NET1, NET3);
        return """
                {
                  "name": "vrouter1",
                  "ports": [
                    {"name": "%s", "netdev": "%s", "mode": "copy", "tuning": {"txBudget": 256}, "classifier": %s},
                    {"name": "%s", "netdev": "%s", "mode": "copy", "tuning": {"txBudget": 256}, "classifier": %s}
                  ],
                  "umem": {"frames": 16384, "frameSize": 2048, "ringSize": 4096},
                  "workers": [{"ports": ["%s", "%s"]}],
                  "mirror": {"kernel": true},
                  "control": {"socket": "%s"}
                }
                """.formatted(PORT_NET1, net1.b(), rule, PORT_NET2, net2.a(), rule, PORT_NET1, PORT_NET2, controlSocket);
    }

    /** Stops the dataplane (its classifiers detach) and starts it again from the same config file. */
    public String restartDataplane() {
        stopDataplane();
        DataplaneConfig cfg = ConfigJson.readFile(configFile, DataplaneConfig.class);
        dataplane = vr1Namespace.call(() -> Dataplane.start(cfg, configFile.toString()));
        return dataplane.summary();
    }

    private void stopDataplane() {
        if (dataplane != null) {
            Dataplane dp = dataplane;
            dataplane = null;
            vr1Namespace.run(dp::close);
        }
    }

    // ---------------------------------------------------------------- step 3: reachability

    /** What one ping run showed. */
    public record Ping(int sent, int received, String output) {
        public boolean allAnswered() {
            return sent > 0 && received == sent;
        }
    }

    /** {@code ping -c COUNT} from client2 to client1. */
    public Ping pingClient1FromClient2(int count) {
        Commands.Result r = Commands.execIn(client2, 30, "ping", "-n", "-c", Integer.toString(count), "-i", "0.2", "-W",
                "1", CLIENT1);
        String out = r.stdout() + r.stderr();
        int sent = 0;
        int received = 0;
        for (String line : out.lines().toList()) {
            if (line.contains("packets transmitted")) {
                String[] parts = line.split(",");
                sent = Integer.parseInt(parts[0].trim().split(" ")[0]);
                received = Integer.parseInt(parts[1].trim().split(" ")[0]);
            }
        }
        return new Ping(sent, received, out.strip());
    }

    // ---------------------------------------------------------------- step 4: OSPF

    /** Starts zebra + ospfd in both vRouters (fast timers on the vRouter-to-vRouter link). */
    public void startOspf() {
        ospf1 = OspfRouter.start(vrouter1, lab.directory("frr-vr1"), "1.1.1.1", List.of(net2.a()),
                List.of(NET1, NET2));
        lab.onClose(ospf1::close);
        ospf2 = OspfRouter.start(vrouter2, lab.directory("frr-vr2"), "2.2.2.2", List.of(net2.b()),
                List.of(NET2, NET3));
        lab.onClose(ospf2::close);
    }

    /**
     * Waits until both vRouters have a Full adjacency and each kernel holds the OSPF route to the far
     * client network; returns how long that took.
     */
    public Duration awaitOspfConvergence(Duration timeout) {
        long start = System.nanoTime();
        await(timeout, "OSPF to converge (Full neighbours and the far client routes in both kernels)",
                () -> ospf1.fullNeighbours() == 1 && ospf2.fullNeighbours() == 1
                        && hasOspfRoute(vrouter1, NET3) && hasOspfRoute(vrouter2, NET1));
        return Duration.ofNanos(System.nanoTime() - start);
    }

    public String ospfNeighbours(int vrouter) {
        return (vrouter == 1 ? ospf1 : ospf2).ospfNeighbours();
    }

    /** How many Full OSPF adjacencies vrouter 1 or 2 has. */
    public int ospfFullNeighbours(int vrouter) {
        return (vrouter == 1 ? ospf1 : ospf2).fullNeighbours();
    }

    /** {@code ip route} of vrouter 1 or 2. */
    public String kernelRoutes(int vrouter) {
        return Commands.ipIn(vrouter == 1 ? vrouter1 : vrouter2, "route", "show");
    }

    /** Whether the kernel of {@code ns} has an OSPF-learned route to {@code prefix}. */
    public boolean hasOspfRoute(String ns, String prefix) {
        return kernelRoute(ns, prefix) != null;
    }

    private static JsonNode kernelRoute(String ns, String prefix) {
        try {
            JsonNode routes = JSON.readTree(Commands.ipIn(ns, "-j", "route", "show", "proto", "ospf"));
            for (JsonNode r : routes) {
                if (prefix.equals(r.path("dst").asText())) {
                    return r;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- the graph

    /** The graph's FIB on vrouter1, one route a line ({@code show ip fib}). */
    public List<String> graphFib() {
        return dataplane.tables().fib().routes().stream().map(FibRoute::toString).toList();
    }

    /** One command through the dataplane's control socket, as {@code splitplanectl COMMAND} sends it. */
    public String ctl(String command) {
        try {
            ControlClient.Reply reply = ControlClient.send(controlSocket, command);
            if (!reply.ok()) {
                throw new IllegalStateException("splitplanectl " + command + ": " + reply.text());
            }
            return reply.text();
        } catch (IOException e) {
            throw new UncheckedIOException("control socket " + controlSocket, e);
        }
    }

    /** Whether the graph's FIB holds {@code prefix} exactly. */
    public boolean graphHasRoute(String prefix) {
        return dataplane.tables().fib().routes().stream().anyMatch(r -> r.prefixString().equals(prefix));
    }

    /** A snapshot of the (one) worker graph's counters. */
    public GraphStats graphStats() {
        return dataplane.graphs().getFirst().stats();
    }

    /** The graph's {@code show runtime}. */
    public String showRuntime() {
        return dataplane.showRuntime();
    }

    /**
     * The kernel's AF_XDP counters of one port ({@code XDP_STATISTICS}): frames the classifier
     * redirected that never reached the graph (RX ring full, FILL ring empty) show here.
     */
    public XskStatistics xskStatistics(String port) {
        int id = dataplane.config().portIndex(port);
        return dataplane.ports().get(id).statistics();
    }

    /** Packets the graph received on both ports. */
    public long graphRxPackets() {
        GraphStats st = graphStats();
        return st.port(PORT_NET1).get("rx-packets") + st.port(PORT_NET2).get("rx-packets");
    }

    // ---------------------------------------------------------------- traffic

    /** An iperf3 UDP session from client2 to client1, through vrouter2's kernel and vrouter1's graph. */
    public UdpIperf.Report iperfUdp(long bitsPerSecond, int seconds) {
        return UdpIperf.run(client1, CLIENT1, client2, GRAPH_PORT, bitsPerSecond, 1400, seconds);
    }

    /**
     * The anchor for {@link #iperfUdp}: the same clients, path and rate, but to a UDP port the
     * classifier passes, so vrouter1's kernel forwards it instead of the graph.
     */
    public UdpIperf.Report iperfUdpThroughKernel(long bitsPerSecond, int seconds) {
        return UdpIperf.run(client1, CLIENT1, client2, KERNEL_ANCHOR_PORT, bitsPerSecond, 1400, seconds);
    }

    // ---------------------------------------------------------------- route withdrawal

    /** Takes vrouter2's net3 link down: OSPF withdraws net3. */
    public void withdrawNet3() {
        Commands.ipIn(vrouter2, "link", "set", net3.a(), "down");
    }

    /** Brings vrouter2's net3 link back up: OSPF announces net3 again. */
    public void restoreNet3() {
        Commands.ipIn(vrouter2, "link", "set", net3.a(), "up");
    }

    // ---------------------------------------------------------------- helpers

    /** Polls {@code condition} every 100 ms until it holds or {@code timeout} passes (then throws naming it). */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            OspfRouter.sleep(100);
        }
    }

    public String client1() {
        return client1;
    }

    public String client2() {
        return client2;
    }

    public String vrouter1() {
        return vrouter1;
    }

    public String vrouter2() {
        return vrouter2;
    }

    /** Stops the dataplane and FRR; the lab removes namespaces and directories. */
    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            stopDataplane();
        } catch (RuntimeException e) {
            failure = e;
        }
        if (vr1Namespace != null) {
            vr1Namespace.close();
            vr1Namespace = null;
        }
        for (OspfRouter r : new OspfRouter[] {ospf2, ospf1}) {
            if (r != null) {
                r.close();
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
