package io.splitplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.UdpWindowPump;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vRouter scenario with assertions (the demo prints the same steps): the topology, the hand-over
 * of vrouter1's netdevs (device plugin, kubelet stand-in, CNI), vrouter1's container with the
 * dataplane and the echo application and, after a ping that must fail, FRR on both vRouters are set
 * up once for the class; the tests then look at what the network does, and the last one at what the
 * teardown gives back. Runs as root against the real kernel, FRR, iperf3 and the CNI launcher.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VrouterScenarioTest {
    private static final int UDP_PORT = 9400;
    private static final int DATAGRAMS = 5_000;
    private static final int ECHOES = 2_000;

    private TestNetworkLab lab;
    private VrouterScenario scenario;
    private VrouterScenario.Handover handover;
    private VrouterScenario.Ping pingBeforeOspf;
    private long graphRxBeforeOspf;
    private boolean graphHadNet3BeforeOspf;

    /** A failure here still runs {@link #tearDown} (JUnit runs @AfterAll after a failed @BeforeAll). */
    @BeforeAll
    void setUp() {
        lab = new TestNetworkLab();
        scenario = new VrouterScenario(lab);
        scenario.buildTopology();
        handover = scenario.handOver(lab.directory("node"));
        scenario.startDataplane(lab.directory("pod"));
        pingBeforeOspf = scenario.pingClient1FromClient2(2);
        graphRxBeforeOspf = scenario.graphRxPackets();
        graphHadNet3BeforeOspf = scenario.graphHasRoute(VrouterScenario.NET3);
        scenario.startOspf();
        scenario.awaitOspfConvergence(Duration.ofSeconds(60));
    }

    @AfterAll
    void tearDown() {
        try {
            if (scenario != null) {
                scenario.close();
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }

    @Test
    @Order(0)
    void vrouter1sNetdevsCameThroughTheDevicePluginTheKubeletAndTheCni() throws Exception {
        List<String> devices = scenario.poolDevices();
        assertEquals("afxdp/" + VrouterScenario.POOL, handover.resource());
        assertEquals(List.of("Healthy", "Healthy"), devices.stream().map(handover.advertised()::get).toList(),
                "the kubelet's list: " + handover.advertised());
        // Allocate's answer: the pool's variable and one pin directory mount per netdev.
        NodeHandover.Allocation allocation = scenario.allocation();
        assertEquals(String.join(",", devices), allocation.env().get("AFXDP_DEVICES_VROUTER"), allocation.toString());
        assertEquals(devices.stream().map(XskMapPaths::containerDirectory).toList(),
                allocation.mounts().stream().map(NodeHandover.Mount::containerPath).toList(), allocation.toString());
        for (NodeHandover.Mount m : allocation.mounts()) {
            assertTrue(m.hostPath().endsWith(m.containerPath().getFileName()), allocation.toString());
            assertTrue(Files.exists(m.hostPath().resolve(XskMapPaths.MAP_FILE)), "the CNI pinned the XSKMAP where"
                    + " the device plugin mounts it: " + m.hostPath() + ", pins " + scenario.pins());
        }
        // CNI ADD: each netdev moved into vrouter1 under its CNI_IFNAME, with the static address and the
        // classifier attached in native mode; the node no longer has it.
        String[][] expected = {{VrouterScenario.PORT_NET1, VrouterScenario.VR1_NET1}, {VrouterScenario.PORT_NET2,
                VrouterScenario.VR1_NET2}};
        for (int i = 0; i < 2; i++) {
            String ifname = expected[i][0];
            JsonNode result = scenario.cniResult(ifname);
            assertEquals(ifname, result.path("interfaces").path(0).path("name").asText(), result.toString());
            assertEquals("/run/netns/" + scenario.vrouter1(), result.path("interfaces").path(0).path("sandbox").asText());
            assertEquals(expected[i][1] + "/24", result.path("ips").path(0).path("address").asText(), result.toString());
            String link = Commands.ipIn(scenario.vrouter1(), "-d", "link", "show", "dev", ifname);
            assertTrue(link.contains("xdp") && link.contains("prog/xdp id"), "classifier on " + ifname + ": " + link);
            assertTrue(Commands.ipIn(scenario.vrouter1(), "-br", "addr", "show", "dev", ifname)
                    .contains(expected[i][1] + "/24"));
            assertFalse(Commands.execIn(scenario.node(), 10, "ip", "link", "show", "dev", devices.get(i)).ok(),
                    devices.get(i) + " is still on the node");
        }
        // Allocated and moved into the pod, both stay Healthy for the kubelet (capacity does not shrink).
        VrouterScenario.await(Duration.ofSeconds(5), "both devices Healthy in the kubelet's latest list",
                () -> devices.stream().allMatch(d -> "Healthy".equals(scenario.devicePluginHealth().get(d))));
        // The container runs with Allocate's env and sees each pin directory at Allocate's container path,
        // in its own mount namespace: the node's /run has no such path.
        long pid = scenario.containerPid();
        String environ = Files.readString(Path.of("/proc/" + pid + "/environ")).replace('\0', '\n');
        assertTrue(environ.lines().anyMatch(("AFXDP_DEVICES_VROUTER=" + String.join(",", devices))::equals), environ);
        assertFalse(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt"))
                .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"))), "the container has its own mounts");
        for (NodeHandover.Mount m : allocation.mounts()) {
            String inside = Commands.exec(10, "nsenter", "-t", Long.toString(pid), "-m", "--", "ls",
                    m.containerPath().toString()).orThrow().stdout();
            assertTrue(inside.lines().anyMatch(XskMapPaths.MAP_FILE::equals), m + ": " + inside);
            assertFalse(Files.exists(m.containerPath()), m.containerPath() + " exists outside the container");
        }
        // The container checked its maps under the mounts before starting, and its ports joined them.
        String output = scenario.containerOutput();
        assertTrue(output.contains("devices from the device plugin, with their maps: " + devices), output);
        String interfaces = scenario.ctl("show interfaces");
        assertTrue(interfaces.contains(VrouterScenario.VR1_NET1) && interfaces.contains(VrouterScenario.VR1_NET2),
                interfaces);
    }

    @Test
    @Order(1)
    void pingFailsBeforeOspfAndGoesThroughTheKernelsAfter() {
        assertEquals(2, pingBeforeOspf.sent(), pingBeforeOspf.output());
        assertEquals(0, pingBeforeOspf.received(), "no route to net1 before OSPF: " + pingBeforeOspf.output());
        assertEquals(0, graphRxBeforeOspf, "nothing of the failed ping entered the graph");

        assertTrue(scenario.hasOspfRoute(scenario.vrouter1(), VrouterScenario.NET3), scenario.kernelRoutes(1));
        assertTrue(scenario.hasOspfRoute(scenario.vrouter2(), VrouterScenario.NET1), scenario.kernelRoutes(2));
        // The graph learned net3 from the kernel (the netlink agent), not from its config.
        assertFalse(graphHadNet3BeforeOspf, "net3 in the graph's FIB before OSPF");
        VrouterScenario.await(Duration.ofSeconds(5), "net3 in the graph's FIB",
                () -> scenario.graphHasRoute(VrouterScenario.NET3));

        GraphCounters before = scenario.graphStats();
        VrouterScenario.Ping ping = scenario.pingClient1FromClient2(5);
        assertTrue(ping.allAnswered(), ping.output());
        GraphCounters after = scenario.graphStats();
        // Requests arrive on net2 and replies on net1 at vrouter1: neither port saw one of them.
        for (String port : new String[] {VrouterScenario.PORT_NET1, VrouterScenario.PORT_NET2}) {
            assertEquals(before.rxPackets(port), after.rxPackets(port), "ICMP entered the graph on " + port + "\n"
                    + after);
        }
        assertEquals(before.nodePackets("eth-input"), after.nodePackets("eth-input"), after.toString());
    }

    @Test
    @Order(2)
    void udpGoesThroughTheGraphWhileOspfStaysInTheKernel() throws Exception {
        GraphCounters before = scenario.graphStats();
        try (NetNamespace c1 = NetNamespace.open(scenario.client1());
             NetNamespace c2 = NetNamespace.open(scenario.client2());
             DatagramChannel receiver = c1.call(() -> DatagramChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getByName(VrouterScenario.CLIENT1), UDP_PORT)));
             DatagramChannel sender = c2.call(() -> DatagramChannel.open()
                     .connect(new InetSocketAddress(InetAddress.getByName(VrouterScenario.CLIENT1), UDP_PORT)))) {
            assertEquals(DATAGRAMS, UdpWindowPump.pump(sender, receiver, DATAGRAMS, 64, VrouterScenarioTest::payload));
        }
        GraphCounters after = scenario.graphStats();
        String runtime = after.toString();
        assertEquals(DATAGRAMS, after.rxPackets(VrouterScenario.PORT_NET2) - before.rxPackets(VrouterScenario.PORT_NET2),
                runtime);
        assertEquals(DATAGRAMS, after.txPackets(VrouterScenario.PORT_NET1) - before.txPackets(VrouterScenario.PORT_NET1),
                runtime);
        assertEquals(DATAGRAMS, after.nodePackets("ip4-rewrite") - before.nodePackets("ip4-rewrite"), runtime);
        assertEquals(0, after.errorCount(), "no drops\n" + runtime);
        // OSPF (IP protocol 89) kept flowing through vrouter1's kernel the whole time.
        assertEquals(1, scenario.ospfFullNeighbours(1));
    }

    @Test
    @Order(3)
    void udpToThePassedPortIsForwardedByTheKernelNotTheGraph() throws Exception {
        long rxBefore = scenario.graphRxPackets();
        int port = VrouterScenario.KERNEL_ANCHOR_PORT;
        try (NetNamespace c1 = NetNamespace.open(scenario.client1());
             NetNamespace c2 = NetNamespace.open(scenario.client2());
             DatagramChannel receiver = c1.call(() -> DatagramChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getByName(VrouterScenario.CLIENT1), port)));
             DatagramChannel sender = c2.call(() -> DatagramChannel.open()
                     .connect(new InetSocketAddress(InetAddress.getByName(VrouterScenario.CLIENT1), port)))) {
            assertEquals(1000, UdpWindowPump.pump(sender, receiver, 1000, 64, VrouterScenarioTest::payload));
        }
        assertEquals(rxBefore, scenario.graphRxPackets(), "the classifier's pass rule kept port " + port + " out");
    }

    /** The kind suite reads the graph's counters with awk from {@code show interfaces}: same program, real output. */
    @Test
    @Order(4)
    void theKindSuitesCounterParsingReadsTheRealShowInterfaces(@TempDir Path dir) throws Exception {
        String script = Files.readString(KindSuiteFilesTest.REPO.resolve("e2e/kind/run.sh"));
        Matcher awk = Pattern.compile("graph_rx\\(\\) \\{\\n[^\\n]*show interfaces \\| awk '([^']+)'").matcher(script);
        assertTrue(awk.find(), "run.sh's graph_rx uses awk over show interfaces");
        Path output = dir.resolve("show-interfaces.txt");
        Files.writeString(output, scenario.ctl("show interfaces"));
        Commands.Result r = Commands.exec(30, "awk", awk.group(1), output.toString()).orThrow();
        assertEquals(scenario.graphRxPackets(), Long.parseLong(r.stdout().strip()), Files.readString(output));
        assertTrue(scenario.graphRxPackets() > 0);
    }

    /**
     * The target as it stands: 1 Gbit/s offered, under 1% loss, every received datagram through
     * the graph. On this project's shared 2-core VM (load 6-17 from other builds) it held in 13 of 16
     * runs with RX rings of 4,096 (6 of 7 with the final config); the failures lost 1.9-4.7%, mostly as
     * AF_XDP RX-ring-full drops (the message prints XDP_STATISTICS and show runtime); see e2e/README.md.
     */
    @Test
    @Order(5)
    void iperf3UdpAt1GbitPerSecondOfferedLosesUnderOnePercentThroughTheGraph() {
        iperfThroughTheGraph(1_000_000_000L);
    }

    private void iperfThroughTheGraph(long bitsPerSecond) {
        long rxBefore = scenario.graphStats().rxPackets(VrouterScenario.PORT_NET2);
        VrouterScenario.KernelUdp client1Before = VrouterScenario.kernelUdp(scenario.client1());
        UdpIperf.Report report = scenario.iperfUdp(bitsPerSecond, 5);
        VrouterScenario.KernelUdp client1After = VrouterScenario.kernelUdp(scenario.client1());
        System.out.println("iperf3 through the graph: " + report);
        long rxDuring = scenario.graphStats().rxPackets(VrouterScenario.PORT_NET2) - rxBefore;
        assertTrue(report.packetsSent() > 1000, report.toString());
        assertTrue(report.lostPercent() < 1.0, "loss " + report + "\ngraph rx on net2 " + rxDuring
                + "; client1's kernel dropped " + (client1After.rcvbufErrors() - client1Before.rcvbufErrors())
                + " for a full socket buffer\n" + scenario.showRuntime() + "\nXSK\n" + scenario.xskStatistics());
        // Every datagram the server counted came through the graph (iperf3's own UDP "connect" adds a few).
        assertTrue(rxDuring >= report.packetsSent() - report.packetsLost(),
                "graph rx " + rxDuring + " < datagrams received " + (report.packetsSent() - report.packetsLost()));
        assertEquals(1, scenario.ospfFullNeighbours(1), "OSPF stayed up during iperf3");
    }

    /**
     * The second scenario: an application on vrouter1's graph. client2's datagrams to the echo port of
     * vrouter1's net2 address are redirected by the classifier, delivered by the graph to the channel
     * of the pod's UDP echo, and its answers leave through the graph; vrouter1's kernel sees none.
     */
    @Test
    @Order(6)
    void aUdpEchoOnAChannelAnswersClient2ThroughTheGraphNotTheKernel() {
        assertEchoThroughTheGraph();
    }

    private void assertEchoThroughTheGraph() {
        VrouterScenario.EchoRun run = scenario.echoFromClient2(ECHOES);
        String what = run + "\n" + run.after();
        assertTrue(run.report().allEchoed(), what);
        assertEquals(ECHOES, run.report().echoed(), what);
        assertEquals(ECHOES, run.after().nodePackets("ip4-local") - run.before().nodePackets("ip4-local"), what);
        assertEquals(ECHOES, run.channelRx(), what);
        assertEquals(ECHOES, run.channelTx(), what);
        assertTrue(run.after().rxPackets(VrouterScenario.PORT_NET2) - run.before().rxPackets(VrouterScenario.PORT_NET2)
                >= ECHOES, what);
        assertEquals(0, run.after().errorCount() - run.before().errorCount(), "no drop or punt\n" + what);
        // vrouter1's kernel neither received them (no socket there) nor refused them (no ICMP).
        assertEquals(run.kernelBefore().inDatagrams(), run.kernelAfter().inDatagrams(), what);
        assertEquals(run.kernelBefore().noPorts(), run.kernelAfter().noPorts(), what);
        assertTrue(run.channels().contains(VrouterScenario.VR1_NET2 + ":" + VrouterScenario.ECHO_PORT), run.channels());
    }

    @Test
    @Order(7)
    void aRouteWithdrawnInFrrLeavesTheGraphFibAndComesBack() {
        assertTrue(scenario.graphHasRoute(VrouterScenario.NET3), String.join("\n", scenario.graphFib()));
        scenario.withdrawNet3();
        VrouterScenario.await(Duration.ofSeconds(20), "net3 to leave vrouter1's kernel and graph",
                () -> !scenario.hasOspfRoute(scenario.vrouter1(), VrouterScenario.NET3)
                        && !scenario.graphHasRoute(VrouterScenario.NET3));
        assertFalse(scenario.pingClient1FromClient2(1).allAnswered());
        scenario.restoreNet3();
        VrouterScenario.await(Duration.ofSeconds(20), "net3 to come back to vrouter1's kernel and graph",
                () -> scenario.hasOspfRoute(scenario.vrouter1(), VrouterScenario.NET3)
                        && scenario.graphHasRoute(VrouterScenario.NET3));
        assertTrue(scenario.pingClient1FromClient2(3).allAnswered());
    }

    /** The container stopped (SIGTERM) and started again: FIB from the kernel, transit UDP and the echo work. */
    @Test
    @Order(8)
    void aRestartedDataplaneRecoversItsFibFromTheKernel() throws Exception {
        scenario.restartDataplane();
        VrouterScenario.await(Duration.ofSeconds(10), "the OSPF route in the restarted graph's FIB",
                () -> scenario.graphHasRoute(VrouterScenario.NET3));
        udpGoesThroughTheGraphWhileOspfStaysInTheKernel();
        assertEchoThroughTheGraph();
    }

    /**
     * What the pod's end gives back: the container stopped, CNI DEL for both netdevs (home on the node
     * under their names, no XDP program, gone from vrouter1), no pins, the device plugin's and the
     * kubelet's sockets removed.
     */
    @Test
    @Order(9)
    void theTeardownGivesTheNetdevsBackAndLeavesNoSocketsOrPins() {
        assertTrue(scenario.pins().size() >= 2, "pins before the teardown: " + scenario.pins());
        assertTrue(scenario.devicePluginSockets().contains("afxdp-" + VrouterScenario.POOL + ".sock"),
                scenario.devicePluginSockets().toString());
        scenario.releaseHandover();
        for (String device : scenario.poolDevices()) {
            String link = Commands.ipIn(scenario.node(), "-d", "link", "show", "dev", device);
            assertFalse(link.contains("prog/xdp"), device + " still has a program: " + link);
            assertTrue(link.contains("state UP") || link.contains(",UP"), device + " is not up: " + link);
        }
        String vr1Links = Commands.ipIn(scenario.vrouter1(), "-br", "link");
        assertFalse(vr1Links.contains(VrouterScenario.PORT_NET1) || vr1Links.contains(VrouterScenario.PORT_NET2),
                vr1Links);
        assertEquals(List.of(), scenario.pins());
        assertEquals(List.of(), scenario.devicePluginSockets());
    }

    private static byte[] payload(long seq) {
        byte[] p = new byte[32 + (int) (seq % 1000)];
        ByteBuffer.wrap(p).putLong(seq);
        for (int i = 8; i < p.length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }
}
