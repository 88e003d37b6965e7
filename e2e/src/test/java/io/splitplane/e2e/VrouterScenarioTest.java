package io.splitplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.UdpWindowPump;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vRouter scenario with assertions (the demo prints the same steps): the topology, vrouter1's
 * dataplane and, after a ping that must fail, FRR on both vRouters are set up once for the class; the
 * tests then look at what the network does. Runs as root against the real kernel, FRR and iperf3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VrouterScenarioTest {
    private static final int UDP_PORT = 9400;
    private static final int DATAGRAMS = 5_000;

    private TestNetworkLab lab;
    private VrouterScenario scenario;
    private VrouterScenario.Ping pingBeforeOspf;
    private long graphRxBeforeOspf;
    private boolean graphHadNet3BeforeOspf;

    /** A failure here still runs {@link #tearDown} (JUnit runs @AfterAll after a failed @BeforeAll). */
    @BeforeAll
    void setUp() {
        lab = new TestNetworkLab();
        scenario = new VrouterScenario(lab);
        scenario.buildTopology();
        Path work = lab.directory("dp");
        scenario.startDataplane(work);
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

        GraphStats before = scenario.graphStats();
        VrouterScenario.Ping ping = scenario.pingClient1FromClient2(5);
        assertTrue(ping.allAnswered(), ping.output());
        GraphStats after = scenario.graphStats();
        // Requests arrive on net2 and replies on net1 at vrouter1: neither port saw one of them.
        for (String port : new String[] {VrouterScenario.PORT_NET1, VrouterScenario.PORT_NET2}) {
            assertEquals(before.port(port).get("rx-packets"), after.port(port).get("rx-packets"),
                    "ICMP entered the graph on " + port + "\n" + after.format());
        }
        assertEquals(before.node("eth-input").packets(), after.node("eth-input").packets(), after.format());
    }

    @Test
    @Order(2)
    void udpGoesThroughTheGraphWhileOspfStaysInTheKernel() throws Exception {
        GraphStats before = scenario.graphStats();
        try (NetNamespace c1 = NetNamespace.open(scenario.client1());
             NetNamespace c2 = NetNamespace.open(scenario.client2());
             DatagramChannel receiver = c1.call(() -> DatagramChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getByName(VrouterScenario.CLIENT1), UDP_PORT)));
             DatagramChannel sender = c2.call(() -> DatagramChannel.open()
                     .connect(new InetSocketAddress(InetAddress.getByName(VrouterScenario.CLIENT1), UDP_PORT)))) {
            assertEquals(DATAGRAMS, UdpWindowPump.pump(sender, receiver, DATAGRAMS, 64, VrouterScenarioTest::payload));
        }
        GraphStats after = scenario.graphStats();
        String runtime = after.format();
        assertEquals(DATAGRAMS, delta(before, after, VrouterScenario.PORT_NET2, "rx-packets"), runtime);
        assertEquals(DATAGRAMS, delta(before, after, VrouterScenario.PORT_NET1, "tx-packets"), runtime);
        assertEquals(DATAGRAMS, after.node("ip4-rewrite").packets() - before.node("ip4-rewrite").packets(), runtime);
        assertEquals(0, after.errors().stream().mapToLong(GraphStats.ErrorStats::count).sum(), "no drops\n" + runtime);
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
        long rxBefore = scenario.graphStats().port(VrouterScenario.PORT_NET2).get("rx-packets");
        UdpIperf.Report report = scenario.iperfUdp(bitsPerSecond, 5);
        System.out.println("iperf3 through the graph: " + report);
        long rxDuring = scenario.graphStats().port(VrouterScenario.PORT_NET2).get("rx-packets") - rxBefore;
        assertTrue(report.packetsSent() > 1000, report.toString());
        assertTrue(report.lostPercent() < 1.0, "loss " + report + "\n" + scenario.showRuntime() + "\nXSK "
                + VrouterScenario.PORT_NET2 + ": " + scenario.xskStatistics(VrouterScenario.PORT_NET2));
        // Every datagram the server counted came through the graph (iperf3's own UDP "connect" adds a few).
        assertTrue(rxDuring >= report.packetsSent() - report.packetsLost(),
                "graph rx " + rxDuring + " < datagrams received " + (report.packetsSent() - report.packetsLost()));
        assertEquals(1, scenario.ospfFullNeighbours(1), "OSPF stayed up during iperf3");
    }

    @Test
    @Order(6)
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

    @Test
    @Order(7)
    void aRestartedDataplaneRecoversItsFibFromTheKernel() throws Exception {
        scenario.restartDataplane();
        VrouterScenario.await(Duration.ofSeconds(10), "the OSPF route in the restarted graph's FIB",
                () -> scenario.graphHasRoute(VrouterScenario.NET3));
        udpGoesThroughTheGraphWhileOspfStaysInTheKernel();
    }

    private static long delta(GraphStats before, GraphStats after, String port, String counter) {
        return after.port(port).get(counter) - before.port(port).get(counter);
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
