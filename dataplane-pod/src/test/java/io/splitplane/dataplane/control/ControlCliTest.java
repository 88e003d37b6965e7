package io.splitplane.dataplane.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.testing.MirroredRouter;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.UdpWindowPump;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code splitplanectl} and the metrics endpoint against a running dataplane that mirrors its
 * namespace's kernel: src -- rtr -- sink over two veths, UDP to 9300 redirected into the graph by the
 * classifier, every route and neighbour of the graph coming from the router's kernel through the
 * netlink agent (the config has none). 5,000 datagrams cross the graph, 300 more hit a blackhole route;
 * then each command's output and the scrape are checked against those numbers.
 */
class ControlCliTest {
    private static final int PACKETS = 5000;
    private static final int BLACKHOLED = 300;
    private static final int PORT = MirroredRouter.PORT;

    @TempDir
    static Path dir;
    private static MirroredRouter router;
    private static Dataplane dp;
    private static NetNamespace nsRtr;
    private static Path socket;
    private static String rtr;
    private static String leftNetdev;
    private static String sinkMac;

    @BeforeAll
    static void startDataplane() throws Exception {
        socket = dir.resolve("rtr.sock");
        router = new MirroredRouter("clitest", dir, socket);
        dp = router.dp;
        nsRtr = router.nsRtr;
        rtr = router.rtr;
        leftNetdev = router.left.b();
        sinkMac = router.sinkMac();
        Shell.ipIn(rtr, "route", "add", "blackhole", "10.81.99.0/24");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> {
            synchronized (dp.tables()) {
                return dp.tables().fib().route(io.splitplane.dataplane.fib.Ip4.parse("10.81.99.0"), 24) != 0;
            }
        });
        try (DatagramChannel receiver = router.nsSink.call(() -> DatagramChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getByName("10.81.2.1"), PORT)));
             DatagramChannel sender = router.nsSrc.call(() -> DatagramChannel.open()
                     .connect(new InetSocketAddress(InetAddress.getByName("10.81.2.1"), PORT)));
             DatagramChannel blackholed = router.nsSrc.call(DatagramChannel::open)) {
            long received = UdpWindowPump.pump(sender, receiver, PACKETS, 128, seq -> new byte[32]);
            assertEquals(PACKETS, received, "every datagram crossed the graph on kernel-mirrored routes");
            InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getByName("10.81.99.7"), PORT);
            for (int i = 0; i < BLACKHOLED; i++) {
                blackholed.send(ByteBuffer.wrap(new byte[32]), nowhere);
            }
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> dp.errorCount("ip4-lookup", "blackhole") == BLACKHOLED);
    }

    @AfterAll
    static void stop() {
        if (router != null) {
            router.close();
            assertFalse(Files.exists(socket), "control socket removed on close");
        }
    }

    private static String mac(String ns, String ifname) {
        return MirroredRouter.mac(ns, ifname);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run ctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        all[0] = "--socket";
        all[1] = socket.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = SplitplaneCtl.run(all, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run ok(String... args) {
        Run r = ctl(args);
        assertEquals(0, r.code(), "exit code of " + String.join(" ", args) + ": " + r.err());
        System.out.print("$ splitplanectl " + String.join(" ", args) + "\n" + r.out());
        return r;
    }

    /** The numbers in the line of {@code show runtime} that starts with {@code node}. */
    private static long[] runtimeLine(String output, String node) {
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(node)) {
                int i = f[1].equals("input") ? 2 : 1;
                return new long[] {Long.parseLong(f[i]), Long.parseLong(f[i + 1]), Long.parseLong(f[i + 2])};
            }
        }
        throw new AssertionError("no line for " + node + " in\n" + output);
    }

    @Test
    void showRuntimeAndErrorsCountThePacketsAndClearRuntimeZeroesThem() {
        String before = ok("show", "runtime").out();
        assertTrue(before.startsWith("Graph clitest-0:"), before);
        long[] rewrite = runtimeLine(before, "ip4-rewrite");
        assertEquals(PACKETS, rewrite[2], "packets of ip4-rewrite");
        assertTrue(rewrite[1] >= 1 && rewrite[1] <= PACKETS, "vectors of ip4-rewrite");
        assertEquals(PACKETS + BLACKHOLED, runtimeLine(before, "ip4-lookup")[2]);
        String errors = ok("show", "errors").out();
        assertTrue(errors.matches("(?s).*\\s" + BLACKHOLED + "\\s+ip4-lookup/blackhole\\s+blackhole route\\n.*"), errors);
        assertEquals(2, errors.lines().count(), "one reason only: " + errors);

        assertEquals("runtime counters cleared\n", ok("clear", "runtime").out());
        String after = ok("show", "runtime").out();
        assertEquals(0, runtimeLine(after, "ip4-rewrite")[2]);
        assertEquals(0, runtimeLine(after, "ip4-lookup")[2]);
        assertTrue(ok("show", "errors").out().contains("(no errors)"));
        // The raw counters (and metrics) are untouched.
        assertEquals(BLACKHOLED, dp.errorCount("ip4-lookup", "blackhole"));
    }

    @Test
    void showInterfacesShowsTheKernelsViewOfEachPort() {
        String out = ok("show", "interfaces").out();
        String leftLine = out.lines().filter(l -> l.startsWith("0 ")).findFirst().orElseThrow();
        assertTrue(leftLine.matches("0\\s+left\\s+" + leftNetdev + "\\s+up/up\\s+" + mac(rtr, leftNetdev)
                + "\\s+1500\\s+" + (PACKETS + BLACKHOLED) + "\\s+0\\s+" + BLACKHOLED + "\\s+10\\.81\\.1\\.2/24"), leftLine);
        String rightLine = out.lines().filter(l -> l.startsWith("1 ")).findFirst().orElseThrow();
        assertTrue(rightLine.matches("1\\s+right\\s+\\S+\\s+up/up\\s+\\S+\\s+1500\\s+0\\s+" + PACKETS
                + "\\s+0\\s+10\\.81\\.2\\.2/24"), rightLine);
    }

    @Test
    void showIpFibListsTheMirroredRoutesAndFindsOne() {
        String all = ok("show", "ip", "fib").out();
        assertTrue(all.contains("10.81.1.0/24       connected port left\n"), all);
        assertTrue(all.contains("10.81.2.0/24       connected port right\n"), all);
        assertTrue(all.contains("10.81.1.2/32       local port left\n"), all);
        assertTrue(all.contains("10.81.99.0/24      blackhole\n"), all);
        assertTrue(all.contains("10.81.2.255/32     punt\n"), all);
        assertEquals("1 route(s)\n10.81.2.0/24       connected port right\n", ok("show", "ip", "fib", "10.81.2.1").out());
        String within = ok("show", "ip", "fib", "10.81.2.0/24").out();
        assertTrue(within.startsWith("3 route(s)\n"), within); // the /24, the router's address, the broadcast
        Run bad = ctl("show", "ip", "fib", "10.81.2.0/33");
        assertEquals(SplitplaneCtl.EXIT_REFUSED, bad.code());
        assertEquals("prefix length must be 0-32, was '33'\n", bad.err());
        // Routes added to the kernel now show up.
        Shell.ipIn(rtr, "route", "add", "10.81.50.0/24", "via", "10.81.2.1");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
                ctl("show", "ip", "fib", "10.81.50.0/24").out().contains("10.81.50.0/24      via 10.81.2.1 port right"));
    }

    @Test
    void showNeighborsAndChannelsAndUnknownCommands() {
        String n = ok("show", "neighbors").out();
        assertTrue(n.contains("10.81.2.1        " + sinkMac + " right\n"), n);
        assertEquals(3, n.lines().count(), n);
        assertEquals(DataplaneCommands.NO_CHANNELS, ok("show", "channels").out());
        Run unknown = ctl("show", "bogus");
        assertEquals(SplitplaneCtl.EXIT_REFUSED, unknown.code());
        assertTrue(unknown.err().startsWith("unknown command 'show bogus'; commands: clear runtime, help, "), unknown.err());
        Run extra = ctl("show", "runtime", "now");
        assertEquals("this command takes no arguments, got [now]\n", extra.err());
        assertTrue(ok("help").out().contains("show ip fib [prefix|address] -- "));
        assertTrue(ok("show", "netlink").out().startsWith("kernel mirror: "));
    }

    @Test
    void aCommandRegisteredLaterReplacesThePlaceholder() {
        dp.commands().register("show channels", "show channels -- test", args -> "channel udp/9300 bound\n");
        try {
            assertEquals("channel udp/9300 bound\n", ok("show", "channels").out());
        } finally {
            dp.commands().register("show channels", "show channels -- UDP channels bound by applications",
                    args -> DataplaneCommands.NO_CHANNELS);
        }
    }

    @Test
    void noDataplaneOnTheSocketIsExitTwo() {
        StringWriter err = new StringWriter();
        int code = SplitplaneCtl.run(new String[] {"-s", dir.resolve("nobody.sock").toString(), "show", "runtime"},
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(SplitplaneCtl.EXIT_UNREACHABLE, code);
        assertTrue(err.toString().startsWith("splitplanectl: no dataplane answers on " + dir.resolve("nobody.sock")),
                err.toString());
        assertEquals(SplitplaneCtl.EXIT_UNREACHABLE, SplitplaneCtl.run(new String[] {"--bogus"},
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
    }

    @Test
    void theMetricsEndpointServesTheSameCountersInPrometheusText() throws Exception {
        int port = dp.observability().metricsPort().orElseThrow();
        String body = nsRtr.call(() -> httpGet(port, "/metrics"));
        assertTrue(body.startsWith("HTTP/1.1 200 "), body.lines().findFirst().orElse(""));
        assertTrue(body.contains("Content-type: text/plain; version=0.0.4"), body.substring(0, 200));
        Map<String, Double> samples = new HashMap<>();
        int types = 0;
        for (String line : body.substring(body.indexOf("\r\n\r\n") + 4).split("\n")) {
            if (line.startsWith("# TYPE ")) {
                types++;
                assertTrue(line.matches("# TYPE splitplane_[a-z0-9_]+ (counter|gauge)"), line);
                continue;
            }
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            Matcher m = Pattern.compile("([a-z0-9_]+)\\{([^}]*)\\} (\\S+)").matcher(line);
            assertTrue(m.matches(), "a valid sample line: " + line);
            samples.put(m.group(1) + "{" + m.group(2) + "}", Double.parseDouble(m.group(3)));
        }
        String g = "dataplane=\"clitest\",graph=\"clitest-0\"";
        assertEquals(PACKETS, samples.get("splitplane_node_packets_total{" + g + ",node=\"ip4-rewrite\"}"));
        assertEquals(PACKETS + BLACKHOLED, samples.get("splitplane_port_rx_packets_total{" + g + ",port=\"left\"}"));
        assertEquals(PACKETS, samples.get("splitplane_port_tx_packets_total{" + g + ",port=\"right\"}"));
        assertEquals(BLACKHOLED, samples.get("splitplane_node_errors_total{" + g + ",node=\"ip4-lookup\",reason=\"blackhole\"}"));
        assertEquals(0.0, samples.get("splitplane_node_errors_total{" + g + ",node=\"punt\",reason=\"no-route\"}"));
        synchronized (dp.tables()) {
            assertEquals(dp.tables().fib().routeCount(), samples.get("splitplane_fib_routes{dataplane=\"clitest\"}"));
        }
        assertTrue(samples.get("splitplane_netlink_resyncs_total{dataplane=\"clitest\"}") >= 1);
        assertTrue(samples.get("splitplane_node_seconds_total{" + g + ",node=\"ip4-rewrite\"}") > 0);
        assertTrue(types >= 20, "families: " + types);
        String post = nsRtr.call(() -> httpRequest(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        assertTrue(post.startsWith("HTTP/1.1 405 "), post);
    }

    /** A GET over a socket made in the calling thread's namespace (the endpoint listens in the router's). */
    private static String httpGet(int port, String path) throws Exception {
        return httpRequest(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }

    private static String httpRequest(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
