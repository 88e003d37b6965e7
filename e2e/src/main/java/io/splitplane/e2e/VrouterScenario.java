package io.splitplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.splitplane.dataplane.control.ControlClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *                       UDP echo on a channel,
 *                       the rest -> kernel]
 *                      zebra + ospfd                      zebra + ospfd
 * </pre>
 *
 * Clients have a default route to their vRouter; the vRouters know only their connected networks
 * until OSPF (FRR) teaches them the far client network. On vrouter1 the classifier redirects UDP
 * between the two client networks, and UDP to the echo port of vrouter1's net2 address, into the CNET
 * graph; ARP, ICMP, OSPF and iperf3's TCP control connection stay with the kernel (which forwards with
 * {@code ip_forward=1}).
 *
 * <p>vrouter1's two netdevs are handed to it the way Kubernetes does it ({@link #handOver}): they
 * are made in a node namespace; the device plugin serves them as the pool {@code afxdp/vrouter} to a
 * kubelet stand-in, which calls Allocate for vrouter1's pod; the CNI plugin is exec'd with ADD for
 * each (it moves the netdev into vrouter1 as net1/net2, sets the addresses through the {@code static}
 * IPAM plugin, attaches the classifier and pins its XSKMAP); the dataplane then runs in vrouter1's
 * container ({@link PodContainer}) with Allocate's environment and mounts, its ports in pod mode
 * ({@code "xskMap": "auto"}), with the UDP echo on a channel ({@link VrouterPod}).
 *
 * <p>The graph has no routes of its own: its config says {@code "mirror": {"kernel": true}}, so the
 * netlink agent mirrors vrouter1's kernel (connected routes, OSPF's routes through their nexthop
 * objects, ARP) into the FIB, and a withdrawn route or a restart follows the kernel. The dataplane
 * serves its control socket in the container's /run; {@link #ctl} talks to it as
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
    /** The graph port names on vrouter1, which are also the netdevs' names in vrouter1 (CNI_IFNAME). */
    public static final String PORT_NET1 = "net1";
    public static final String PORT_NET2 = "net2";
    /** iperf3 through the graph uses this UDP port. */
    public static final int GRAPH_PORT = 5201;
    /** UDP to this port is passed to vrouter1's kernel by the classifier: the anchor on the same path. */
    public static final int KERNEL_ANCHOR_PORT = 5202;
    /** The UDP echo application on vrouter1's channel listens on {@link #VR1_NET2} at this port. */
    public static final int ECHO_PORT = 7007;
    /** The device plugin's pool of vrouter1's netdevs: the pod requests {@code afxdp/vrouter}. */
    public static final String POOL = "vrouter";
    /** Where the dataplane's config and control socket are inside vrouter1's container. */
    static final Path CONTAINER_CONFIG = Path.of("/run/splitplane/vrouter1.json");
    static final Path CONTAINER_SOCKET = Path.of("/run/splitplane/vrouter1.sock");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Lab lab;
    private String node;
    private String client1;
    private String vrouter1;
    private String vrouter2;
    private String client2;
    private Lab.Veth net1;
    private Lab.Veth net2;
    private Lab.Veth net3;
    private Path bpffsRoot;
    private NodeHandover handover;
    private NodeHandover.Allocation allocation;
    private final Map<String, NodeHandover.Attachment> attachments = new LinkedHashMap<>();
    private Path podDir;
    private Path controlSocket;
    private PodContainer container;
    private OspfRouter ospf1;
    private OspfRouter ospf2;

    public VrouterScenario(Lab lab) {
        this.lab = lab;
    }

    // ---------------------------------------------------------------- step 1: topology

    /**
     * Namespaces, veths, addresses, the clients' default routes, forwarding on the vRouters.
     * vrouter1's two ends are made in the node namespace; {@link #handOver} gives them to vrouter1.
     */
    public String buildTopology() {
        node = lab.namespace("node");
        client1 = lab.namespace("client1");
        vrouter1 = lab.namespace("vr1");
        vrouter2 = lab.namespace("vr2");
        client2 = lab.namespace("client2");
        for (String ns : List.of(node, client1, vrouter1, vrouter2, client2)) {
            sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        }
        net1 = lab.veth(client1, node);
        net2 = lab.veth(node, vrouter2);
        net3 = lab.veth(vrouter2, client2);
        Commands.ipIn(client1, "addr", "add", CLIENT1 + "/24", "dev", net1.a());
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
                "net1  client1 (%s) %s %s  ==veth==  %s on the node (%s), for vrouter1 (%s)".formatted(client1,
                        net1.a(), CLIENT1, net1.b(), node, vrouter1),
                "net2  %s on the node, for vrouter1  ==veth==  %s %s vrouter2 (%s)".formatted(net2.a(), VR2_NET2,
                        net2.b(), vrouter2),
                "net3  vrouter2 (%s) %s %s  ==veth==  %s %s client2 (%s)".formatted(vrouter2, net3.a(), VR2_NET3,
                        CLIENT2, net3.b(), client2),
                "default routes: client1 via " + VR1_NET1 + ", client2 via " + VR2_NET3
                        + "; ip_forward=1 on both vRouters; vrouter1 has no netdev yet") + "\n";
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

    // ---------------------------------------------------------------- step 2: the hand-over

    /** What the hand-over did, step by step, for the demo to print and the test to check. */
    public record Handover(String resource, Map<String, String> advertised, NodeHandover.Allocation allocation,
                           Map<String, String> cniResults, List<String> pins, long registeredMillis,
                           long allocateMillis) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append("device plugin registered ").append(resource).append("; ListAndWatch: ").append(advertised)
                    .append(" (").append(registeredMillis).append(" ms from its start)\n");
            sb.append("kubelet Allocate for vrouter1's container (").append(resource).append(": ")
                    .append(advertised.size()).append(", ").append(allocateMillis).append(" ms):\n");
            allocation.toString().lines().forEach(l -> sb.append("  ").append(l).append('\n'));
            cniResults.forEach((device, result) -> sb.append("CNI ADD ").append(device).append(": ")
                    .append(result).append('\n'));
            sb.append("pinned by the CNI: ").append(pins).append('\n');
            return sb.toString();
        }
    }

    /**
     * The Kubernetes hand-over of vrouter1's netdevs: device plugin, kubelet stand-in and Allocate,
     * then CNI ADD for each as the runtime does it. Afterwards vrouter1 has net1 and net2 with its
     * addresses and the classifier attached; the dataplane is not started yet.
     *
     * @param nodeDir the node's directory (device plugin config, kubelet's device-plugins directory,
     *                the CNI's state)
     */
    public Handover handOver(Path nodeDir) {
        bpffsRoot = lab.bpffs().resolve("splitplane");
        CniRuntime cni = new CniRuntime(CniRuntime.defaultLauncher(), node);
        long start = System.nanoTime();
        handover = NodeHandover.start(node, POOL, List.of(net1.b(), net2.a()), nodeDir, bpffsRoot, cni,
                "vrouter1-pod", "/run/netns/" + vrouter1);
        lab.onClose(handover::close);
        long registered = System.nanoTime();
        allocation = handover.allocate();
        long allocated = System.nanoTime();
        Map<String, String> results = new LinkedHashMap<>();
        for (Object[] d : new Object[][] {{net1.b(), PORT_NET1, VR1_NET1}, {net2.a(), PORT_NET2, VR1_NET2}}) {
            long addStart = System.nanoTime();
            NodeHandover.Attachment a = handover.add((String) d[0], (String) d[1],
                    networkConfig("vrouter1-" + d[1], (String) d[2] + "/24", nodeDir.resolve("cni-state")));
            long millis = (System.nanoTime() - addStart) / 1_000_000;
            attachments.put(a.ifname(), a);
            results.put(a.device() + " -> " + a.ifname() + " (" + millis + " ms)", a.result().toString());
        }
        return new Handover(handover.resource(), handover.advertised(), allocation, results, handover.pins(),
                (registered - start) / 1_000_000, (allocated - registered) / 1_000_000);
    }

    /** The network config of one of vrouter1's attachments (as its NetworkAttachmentDefinition holds it). */
    String networkConfig(String name, String address, Path stateDir) {
        return """
                {"cniVersion": "1.1.0", "name": "%s", "type": "splitplane",
                 "ipam": {"type": "static", "addresses": [{"address": "%s"}]},
                 "xdpAttach": "native",
                 "classifier": %s,
                 "bpffsRoot": "%s", "stateDir": "%s"}
                """.formatted(name, address, classifierRules(), bpffsRoot, stateDir);
    }

    /**
     * The classifier's rules on both of vrouter1's netdevs. Transit UDP between the client networks,
     * and UDP to the echo port of vrouter1's net2 address, go to the graph; other UDP to the vRouter
     * itself stays with its kernel. The first rule keeps one UDP port with the kernel, the anchor that
     * iperfUdpThroughKernel measures on the same path.
     */
    static String classifierRules() {
        return """
                {"rules": [{"name": "anchor-kernel", "action": "pass", "protocol": "udp", "dstPorts": "%d"},
                           {"name": "echo", "action": "redirect", "ipVersion": 4, "protocol": "udp",
                            "dstPorts": "%d", "dstPrefixes": ["%s/32"]},
                           {"name": "transit-udp", "action": "redirect", "ipVersion": 4, "protocol": "udp",
                            "dstPrefixes": ["%s", "%s"]}]}""".formatted(KERNEL_ANCHOR_PORT, ECHO_PORT, VR1_NET2, NET1,
                NET3);
    }

    /** Allocate's answer (env and mounts) for vrouter1's container. */
    public NodeHandover.Allocation allocation() {
        return allocation;
    }

    /** CNI ADD's result for vrouter1's netdev {@code ifname}. */
    public JsonNode cniResult(String ifname) {
        return attachments.get(ifname).result();
    }

    /** The host netdev names (device IDs) of vrouter1's ports, net1's first. */
    public List<String> poolDevices() {
        return List.of(net1.b(), net2.a());
    }

    public String node() {
        return node;
    }

    /** The files the CNI pinned under the device plugin's pin directories. */
    public List<String> pins() {
        return handover.pins();
    }

    /** The device plugin's latest list as the kubelet has it: host netdev to health. */
    public Map<String, String> devicePluginHealth() {
        return handover.currentHealth();
    }

    /** The sockets in the kubelet's device-plugins directory. */
    public List<String> devicePluginSockets() {
        return handover.sockets();
    }

    /**
     * Undoes the hand-over as Kubernetes does when the pod goes: the container stopped, CNI DEL for
     * each netdev (they go back to the node), the device plugin and the kubelet stand-in stopped.
     */
    public void releaseHandover() {
        stopDataplane();
        if (handover != null) {
            handover.close();
        }
    }

    // ---------------------------------------------------------------- step 3: the dataplane on vrouter1

    /**
     * Writes vrouter1's dataplane config into the container's /run and starts the container: the
     * dataplane in pod mode on both netdevs (AF_XDP sockets on one UMEM, the IPv4 graph on one worker)
     * and the UDP echo on a channel. Returns what the container printed when it was ready.
     */
    public String startDataplane(Path podDirectory) {
        podDir = podDirectory;
        controlSocket = PodContainer.hostPath(podDir, CONTAINER_SOCKET);
        try {
            Files.createDirectories(controlSocket.getParent());
            Files.writeString(PodContainer.hostPath(podDir, CONTAINER_CONFIG), dataplaneConfig());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startContainer();
        return container.output();
    }

    private void startContainer() {
        container = PodContainer.start(vrouter1, podDir, allocation.env(), allocation.mounts(),
                VrouterPod.class.getName(), List.of("--config", CONTAINER_CONFIG.toString(), "--echo",
                        VR1_NET2 + ":" + ECHO_PORT));
        lab.onClose(container::close);
        container.awaitReady(60, "vrouter1's dataplane to serve its control socket with the echo running",
                () -> container.output().contains("\nrunning") && !ctl("show interfaces").isEmpty());
    }

    /**
     * The dataplane config of vrouter1, as written to its file (pod mode: no classifier of its own).
     * The UMEM covers both ports' FILL, RX and TX rings (6 x 4,096) and what is in flight between them;
     * with half of it the FILL ring of net2 ran empty under iperf3.
     */
    public String dataplaneConfig() {
        return """
                {
                  "name": "vrouter1",
                  "ports": [
                    {"name": "%s", "netdev": "%s", "mode": "copy", "tuning": {"txBudget": 256}, "xskMap": "auto"},
                    {"name": "%s", "netdev": "%s", "mode": "copy", "tuning": {"txBudget": 256}, "xskMap": "auto"}
                  ],
                  "umem": {"frames": 32768, "frameSize": 2048, "ringSize": 4096},
                  "workers": [{"ports": ["%s", "%s"]}],
                  "mirror": {"kernel": true},
                  "control": {"socket": "%s"}
                }
                """.formatted(PORT_NET1, PORT_NET1, PORT_NET2, PORT_NET2, PORT_NET1, PORT_NET2, CONTAINER_SOCKET);
    }

    /** Stops the container (SIGTERM: its sockets leave the maps) and starts it again from the same config. */
    public String restartDataplane() {
        stopDataplane();
        startContainer();
        return container.output();
    }

    private void stopDataplane() {
        if (container != null) {
            PodContainer c = container;
            container = null;
            c.stop();
        }
    }

    /** The container's process id (the JVM inside it). */
    public long containerPid() {
        return container.pid();
    }

    /** The container's output (the dataplane's summary, its logs). */
    public String containerOutput() {
        return container == null ? "" : container.output();
    }

    // ---------------------------------------------------------------- step 4: reachability

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

    // ---------------------------------------------------------------- step 5: OSPF

    /** Starts zebra + ospfd in both vRouters (fast timers on the vRouter-to-vRouter link). */
    public void startOspf() {
        ospf1 = OspfRouter.start(vrouter1, lab.directory("frr-vr1"), "1.1.1.1", List.of(PORT_NET2),
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

    /** The graph's FIB on vrouter1, one route a line ({@code show ip fib} without its count line). */
    public List<String> graphFib() {
        return ctl("show ip fib").lines().skip(1).map(String::strip).toList();
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
        return graphFib().stream().anyMatch(l -> l.split("\\s+")[0].equals(prefix));
    }

    /** The graph's counters (ports, nodes, drop and punt reasons) as splitplanectl shows them. */
    public GraphCounters graphStats() {
        return GraphCounters.read(this::ctl);
    }

    /** The graph's {@code show runtime}. */
    public String showRuntime() {
        return ctl("show runtime");
    }

    /**
     * The kernel's AF_XDP counters of the ports ({@code XDP_STATISTICS}, through the pod's
     * {@code show xsk}): frames the classifier redirected that never reached the graph (RX ring full,
     * FILL ring empty) show here.
     */
    public String xskStatistics() {
        return ctl("show xsk").strip();
    }

    /** Packets the graph received on both ports. */
    public long graphRxPackets() {
        GraphCounters st = graphStats();
        return st.rxPackets(PORT_NET1) + st.rxPackets(PORT_NET2);
    }

    // ---------------------------------------------------------------- the echo application

    /** One echo run: what client2 saw, the graph's and vrouter1's kernel's counters around it. */
    public record EchoRun(UdpEchoClient.Report report, GraphCounters before, GraphCounters after,
                          KernelUdp kernelBefore, KernelUdp kernelAfter, String channels) {
        /** Datagrams the graph delivered to a channel during the run ({@code channel-rx}). */
        public long channelRx() {
            return after.nodePackets("channel-rx") - before.nodePackets("channel-rx");
        }

        /** Datagrams applications sent through the graph during the run ({@code channel-tx}). */
        public long channelTx() {
            return after.nodePackets("channel-tx") - before.nodePackets("channel-tx");
        }

        @Override
        public String toString() {
            return "client2: " + report + "\n"
                    + "graph: ip4-local +" + (after.nodePackets("ip4-local") - before.nodePackets("ip4-local"))
                    + ", channel-rx +" + channelRx() + ", channel-tx +" + channelTx() + " packets\n"
                    + "vrouter1's kernel UDP: InDatagrams +" + (kernelAfter.inDatagrams() - kernelBefore.inDatagrams())
                    + ", NoPorts +" + (kernelAfter.noPorts() - kernelBefore.noPorts()) + ", OutDatagrams +"
                    + (kernelAfter.outDatagrams() - kernelBefore.outDatagrams()) + "\n"
                    + "vrouter1# splitplanectl show channels\n" + channels;
        }
    }

    /** The UDP counters of a namespace's kernel ({@code /proc/net/snmp}, {@code Udp:}). */
    public record KernelUdp(long inDatagrams, long noPorts, long outDatagrams, long rcvbufErrors) {
    }

    /**
     * client2 sends {@code count} numbered datagrams to the echo on vrouter1's channel (at most 32
     * unanswered) and checks every answer.
     */
    public EchoRun echoFromClient2(int count) {
        GraphCounters before = graphStats();
        KernelUdp kernelBefore = kernelUdp(vrouter1);
        UdpEchoClient.Report report = UdpEchoClient.run(client2, new InetSocketAddress(address(VR1_NET2), ECHO_PORT),
                count, 32);
        KernelUdp kernelAfter = kernelUdp(vrouter1);
        return new EchoRun(report, before, graphStats(), kernelBefore, kernelAfter, ctl("show channels"));
    }

    /** {@code /proc/net/snmp}'s UDP line of {@code ns}. */
    public static KernelUdp kernelUdp(String ns) {
        List<String> udp = Commands.execIn(ns, 10, "cat", "/proc/net/snmp").orThrow().stdout().lines()
                .filter(l -> l.startsWith("Udp: ")).toList();
        if (udp.size() < 2) {
            throw new IllegalStateException("no Udp lines in /proc/net/snmp of " + ns);
        }
        List<String> names = List.of(udp.get(0).substring(5).trim().split("\\s+"));
        String[] values = udp.get(1).substring(5).trim().split("\\s+");
        return new KernelUdp(Long.parseLong(values[names.indexOf("InDatagrams")]),
                Long.parseLong(values[names.indexOf("NoPorts")]), Long.parseLong(values[names.indexOf("OutDatagrams")]),
                Long.parseLong(values[names.indexOf("RcvbufErrors")]));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
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

    /**
     * Stops the container, gives the netdevs back (CNI DEL), stops the device plugin, and stops FRR;
     * the lab removes namespaces and directories. Safe to call twice.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            releaseHandover();
        } catch (RuntimeException e) {
            failure = e;
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
