package io.splitplane.e2e;

import io.splitplane.api.handover.XskMapPaths;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code make demo}: the vRouter scenario on plain Linux namespaces, printed step by step, then torn
 * down (also on Ctrl-C, SIGTERM or a failed step). {@code --cleanup} only removes what an earlier run
 * left behind. Needs root, FRR and iperf3 ({@code build-tools/setup.sh} installs them).
 */
public final class VrouterDemo {
    private static final long IPERF_RATE = 1_000_000_000L;
    private static final int IPERF_SECONDS = 5;
    private static final int ECHO_DATAGRAMS = 1_000;

    /** gRPC logs through java.util.logging; held here, since the logging framework keeps loggers weakly. */
    private static final Logger GRPC_LOG = Logger.getLogger("io.grpc");

    private final PrintStream out;
    private DemoLab lab;
    private VrouterScenario scenario;
    private boolean cleaned;

    private VrouterDemo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("--cleanup")) {
            DemoLab.open().close();
            System.out.println("removed what earlier demo runs left behind");
            return;
        }
        if (args.length > 0) {
            System.err.println("usage: java -jar splitplane-e2e-all.jar [--cleanup]");
            System.exit(2);
        }
        // The components log their lifecycle (classifier attached, agent started) for operators; the demo
        // prints its own account, so only their warnings get through unless asked otherwise.
        System.setProperty("splitplane.log.level", System.getProperty("splitplane.log.level", "warning"));
        // gRPC warns on every unix-socket channel that SO_KEEPALIVE does not apply to it.
        GRPC_LOG.setLevel(Level.SEVERE);
        VrouterDemo demo = new VrouterDemo(System.out);
        Thread hook = new Thread(demo::cleanUp, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = 0;
        try {
            demo.run();
        } catch (RuntimeException | LinkageError e) {
            System.err.println("\ndemo failed: " + e);
            code = 1;
        } finally {
            demo.cleanUp();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return;
        }
        System.exit(code);
    }

    private void step(int n, String title) {
        out.printf("%n%d. %s%n", n, title);
    }

    private void indented(String text) {
        text.lines().forEach(l -> out.println("   " + l));
    }

    private void run() {
        out.println("splitplane vRouter demo: two clients, two vRouters learning routes with OSPF (FRR);");
        out.println("on vrouter1 the XDP classifier sends transit UDP into the CNET graph, everything else to the kernel");
        lab = DemoLab.open();
        scenario = new VrouterScenario(lab);

        step(1, "topology (network namespaces joined by veth; vrouter1's ends still on the node)");
        indented(scenario.buildTopology());

        step(2, "vrouter1's netdevs handed over as Kubernetes does: device plugin -> kubelet Allocate -> CNI ADD");
        long handoverStart = System.nanoTime();
        VrouterScenario.Handover handover = scenario.handOver(lab.directory("node"));
        indented(handover.toString().stripTrailing());
        out.printf("   handed over in %.1f s (device plugin started and registered, Allocate, both CNI ADDs)%n",
                (System.nanoTime() - handoverStart) / 1e9);
        out.println("   vrouter1$ ip -br addr");
        indented(Commands.ipIn(scenario.vrouter1(), "-br", "addr").strip());

        step(3, "the dataplane in vrouter1's container (Allocate's env and mounts; pod mode, xskMap auto)");
        Path pod = lab.directory("vrouter1-pod");
        long containerStart = System.nanoTime();
        indented(scenario.startDataplane(pod).stripTrailing());
        out.printf("   container ready in %.1f s (JVM, dataplane, the agent's first dump, the echo bound)%n",
                (System.nanoTime() - containerStart) / 1e9);
        indented("container: ip netns exec " + scenario.vrouter1() + " unshare -m, its /run = " + pod.resolve("run")
                + " with the pin directories bound in; config " + VrouterScenario.CONTAINER_CONFIG
                + ": no static routes, the netlink agent mirrors the kernel");
        out.println("   container$ ls " + XskMapPaths.CONTAINER_ROOT + "/*/" + XskMapPaths.MAP_FILE
                + "   (through nsenter into its mount namespace)");
        indented(Commands.exec(10, "nsenter", "-t", Long.toString(scenario.containerPid()), "-m", "--", "sh", "-c",
                "ls " + XskMapPaths.CONTAINER_ROOT + "/*/" + XskMapPaths.MAP_FILE).orThrow().stdout().strip());
        out.println("   vrouter1# splitplanectl show ip fib   (before OSPF: the connected networks only)");
        indented(scenario.ctl("show ip fib").stripTrailing());

        step(4, "before OSPF: client2 pings client1");
        VrouterScenario.Ping before = scenario.pingClient1FromClient2(2);
        indented(before.output());
        indented(before.allAnswered() ? "UNEXPECTED: answered" : "no answer: vrouter2 has no route to net1 yet");

        step(5, "OSPF: zebra + ospfd in both vRouters");
        scenario.startOspf();
        Duration took = scenario.awaitOspfConvergence(Duration.ofSeconds(60));
        out.printf("   converged in %.1f s%n", took.toMillis() / 1000.0);
        out.println("   vrouter1# show ip ospf neighbor");
        indented(scenario.ospfNeighbours(1).strip());
        out.println("   vrouter2# show ip ospf neighbor");
        indented(scenario.ospfNeighbours(2).strip());

        step(6, "routes: the kernels (learned by OSPF) and vrouter1's graph FIB");
        out.println("   vrouter1$ ip route");
        indented(scenario.kernelRoutes(1).strip());
        out.println("   vrouter2$ ip route");
        indented(scenario.kernelRoutes(2).strip());
        VrouterScenario.await(Duration.ofSeconds(10), "net3 in the graph's FIB",
                () -> scenario.graphHasRoute(VrouterScenario.NET3));
        out.println("   vrouter1# splitplanectl show ip fib   (mirrored from the kernel: net3 learned by OSPF)");
        indented(scenario.ctl("show ip fib").stripTrailing());

        step(7, "client2 pings client1 again: through the kernels, not the graph");
        long rxBefore = scenario.graphRxPackets();
        VrouterScenario.Ping after = scenario.pingClient1FromClient2(3);
        indented(after.output());
        out.printf("   graph rx packets during the ping: %d (ICMP goes to vrouter1's kernel)%n",
                scenario.graphRxPackets() - rxBefore);

        step(8, "iperf3 UDP client2 -> client1 at " + IPERF_RATE / 1_000_000 + " Mbit/s offered: through the graph");
        UdpIperf.Report report = scenario.iperfUdp(IPERF_RATE, IPERF_SECONDS);
        indented(report.toString());
        GraphCounters st = scenario.graphStats();
        out.printf("   graph: port %s rx-packets %,d, ip4-rewrite %,d packets, port %s tx-packets %,d%n",
                VrouterScenario.PORT_NET2, st.rxPackets(VrouterScenario.PORT_NET2), st.nodePackets("ip4-rewrite"),
                VrouterScenario.PORT_NET1, st.txPackets(VrouterScenario.PORT_NET1));
        out.println("   vrouter1# splitplanectl show xsk   (the AF_XDP sockets' XDP_STATISTICS)");
        indented(scenario.xskStatistics());
        out.printf("   OSPF still up through the kernel: vrouter1 has %d Full neighbour(s)%n",
                scenario.ospfFullNeighbours(1));
        out.println("   anchor: the same path and rate to UDP port " + VrouterScenario.KERNEL_ANCHOR_PORT
                + ", which the classifier passes to vrouter1's kernel:");
        long anchorRxBefore = scenario.graphRxPackets();
        indented(scenario.iperfUdpThroughKernel(IPERF_RATE, IPERF_SECONDS).toString());
        out.printf("   graph rx packets during the anchor: %d%n", scenario.graphRxPackets() - anchorRxBefore);
        out.println("   vrouter1# splitplanectl show runtime");
        indented(scenario.ctl("show runtime").stripTrailing());

        step(9, "a UDP echo application on vrouter1's graph (a channel), reached from client2");
        VrouterScenario.EchoRun echo = scenario.echoFromClient2(ECHO_DATAGRAMS);
        indented("client2 -> " + VrouterScenario.VR1_NET2 + ":" + VrouterScenario.ECHO_PORT
                + " (vrouter1's net2 address; the classifier's rule \"echo\" redirects it)");
        indented(echo.toString().stripTrailing());

        step(10, "teardown: container stopped, CNI DEL for both netdevs, device plugin stopped");
        scenario.releaseHandover();
        indented("netdevs back on the node: " + Commands.ipIn(scenario.node(), "-br", "link").lines()
                .filter(l -> scenario.poolDevices().stream().anyMatch(l::startsWith))
                .map(l -> l.split("[\\s@]+")[0] + " " + l.split("\\s+")[1]).toList());
        indented("device-plugins directory: " + scenario.devicePluginSockets() + "; pins left: " + scenario.pins());
    }

    /** Stops everything the demo started and removes what it made; runs once (main or the shutdown hook). */
    private synchronized void cleanUp() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        try {
            if (scenario != null) {
                scenario.close();
            }
        } finally {
            if (lab != null) {
                lab.close();
                out.println("\ncleaned up: container stopped, netdevs given back (CNI DEL), device plugin and FRR"
                        + " stopped, namespaces " + DemoLab.PREFIX + "-*, the bpffs and " + DemoLab.RUN + " removed");
            }
        }
    }
}
