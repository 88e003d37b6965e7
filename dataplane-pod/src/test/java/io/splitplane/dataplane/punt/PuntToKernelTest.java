package io.splitplane.dataplane.punt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.RouterNetwork;
import io.splitplane.dataplane.fib.Adjacency;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.xdp.XskRedirectProgram;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel path against the real kernel: a router namespace that is plain Linux (ip_forward, strict
 * rp_filter) with the dataplane started in it ({@link RouterNetwork}), UDP (and in one case ICMP)
 * steered into the graph by the classifier. What the graph does not handle must behave exactly as
 * plain Linux: traceroute, first packets to a neighbour nobody resolved yet, IPv4 options, fragments.
 */
class PuntToKernelTest {
    private static final String UDP_ALL = """
            [{"name": "udp", "action": "redirect", "protocol": "udp"}]""";
    private static final String UDP_AND_ICMP = """
            [{"name": "udp", "action": "redirect", "protocol": "udp", "laterFragments": true},
             {"name": "icmp", "action": "redirect", "protocol": "icmp"}]""";
    private static final int PORT = 9300;
    private static final Pattern HOP = Pattern.compile("^\\s*(\\d+)\\s+(\\S+)", Pattern.MULTILINE);

    /** Hop addresses of a UDP traceroute from src to sink ("*" for no answer). */
    private static List<String> traceroute(RouterNetwork n) {
        Shell.Result r = Shell.execIn(n.src, "traceroute", "-n", "-q", "1", "-w", "2", "-m", "4", RouterNetwork.SINK);
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        List<String> hops = new ArrayList<>();
        Matcher m = HOP.matcher(r.stdout());
        while (m.find()) {
            hops.add(m.group(2));
        }
        return hops;
    }

    @Test
    void tracerouteThroughTheGraphMatchesPlainLinux(@TempDir Path dir) throws Exception {
        try (RouterNetwork n = new RouterNetwork()) {
            // Three traceroutes within a second or two: without this the kernels' per-peer ICMP rate limit
            // (a burst of 6, then one a second) silences later answers, whoever forwards.
            for (String ns : List.of(n.rtr, n.sink)) {
                Shell.execIn(ns, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0").orThrow();
            }
            // Plain Linux first: the reference. Then the same with the graph forwarding UDP.
            List<String> plain = traceroute(n);
            assertEquals(List.of(RouterNetwork.R0, RouterNetwork.SINK), plain, "plain Linux hops");
            Shell.execIn(n.rtr, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=0").orThrow();
            Dataplane dp = n.start(dir, UDP_ALL, "", n.bothNeighbours());
            try {
                String tap = dp.puntPath().ports().getFirst().tapName();
                assertEquals("1", Shell.execIn(n.rtr, "sysctl", "-n", "net.ipv6.conf." + tap + ".disable_ipv6")
                        .orThrow().stdout().trim(), "no IPv6 on the punt TAP");
                assertTrue(Shell.ipIn(n.rtr, "-o", "link", "show", "dev", tap).contains("UP"), "TAP up");
                List<String> hybrid = traceroute(n);
                GraphStats st = dp.graphs().getFirst().stats();
                System.out.print(st.format());
                assertEquals(plain, hybrid, "hops through the graph as through plain Linux");
                assertEquals(1, dp.errorCount("punt", "ttl-expired"), "the TTL-1 probe went to the kernel");
                assertTrue(st.node("ip4-rewrite").packets() >= 1, "the TTL-2 probe was forwarded by the graph");
                assertTrue(st.port("left").get("rx-packets") >= 2, "the probes entered the graph");
                assertNoPuntLoss(dp);
            } finally {
                n.stop(dp);
            }
            assertEquals(plain, traceroute(n), "plain Linux again after the dataplane stopped");
            assertTrue(!Shell.ipIn(n.rtr, "link", "show").contains("punt"), "punt TAPs removed");
        }
    }

    @Test
    void firstPacketToAnUnresolvedNeighbourGoesThroughTheKernelThenTheAgentLetsTheRestThroughTheGraph(
            @TempDir Path dir) throws Exception {
        try (RouterNetwork n = new RouterNetwork()) {
            Dataplane dp = n.startMirrored(dir, UDP_ALL);
            int sink = Ip4.parse(RouterNetwork.SINK);
            try (DatagramChannel receiver = n.nsSink.call(() -> DatagramChannel.open()
                    .bind(new InetSocketAddress(InetAddress.getByName(RouterNetwork.SINK), PORT)));
                 DatagramChannel sender = n.nsSrc.call(() -> DatagramChannel.open()
                         .connect(new InetSocketAddress(InetAddress.getByName(RouterNetwork.SINK), PORT)))) {
                // The agent mirrored the kernel's routes; the router has never resolved sink.
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        FibResult.kind(dp.tables().fib().lookup(sink)) == FibResult.KIND_NEXT_HOP);
                assertTrue(Shell.ipIn(n.rtr, "neigh", "show", RouterNetwork.SINK).isBlank(), "router knows no sink yet");
                assertEquals(Adjacency.UNRESOLVED, Adjacency.state(dp.tables().nextHops().neighbours().lookup(1, sink)));

                sender.write(ByteBuffer.wrap("first".getBytes()));
                ByteBuffer b = ByteBuffer.allocate(64);
                receiver.receive(b);
                assertEquals("first", new String(b.array(), 0, b.position()), "the first packet is not lost");
                assertEquals(1, dp.errorCount("punt", "no-neighbour"));
                assertEquals(0, dp.graphs().getFirst().stats().port("right").get("tx-packets"),
                        "it left through the kernel, which resolved sink, not through the graph");

                // The kernel resolved the neighbour; the agent mirrors it into the graph's tables.
                await().atMost(Duration.ofSeconds(10)).until(() -> Adjacency.state(
                        dp.tables().nextHops().neighbours().lookup(1, sink)) == Adjacency.RESOLVED);
                for (int i = 0; i < 100; i++) {
                    byte[] p = ("later-" + i).getBytes();
                    sender.write(ByteBuffer.wrap(p));
                    b.clear();
                    receiver.receive(b);
                    assertArrayEquals(p, java.util.Arrays.copyOf(b.array(), b.position()));
                }
                GraphStats st = dp.graphs().getFirst().stats();
                System.out.print(st.format());
                assertEquals(1, dp.errorCount("punt", "no-neighbour"), "no later packet was punted");
                assertEquals(100, st.port("right").get("tx-packets"), "later packets flowed through the graph");
                assertNoPuntLoss(dp);
            } finally {
                n.stop(dp);
            }
        }
    }

    @Test
    void optionsAndFragmentsReachTheKernel(@TempDir Path dir) throws Exception {
        try (RouterNetwork n = new RouterNetwork()) {
            String locals = """
                    {"prefix": "%s/32", "type": "local"}, {"prefix": "%s/32", "type": "local"}"""
                    .formatted(RouterNetwork.R0, RouterNetwork.R1);
            Dataplane dp = n.start(dir, UDP_AND_ICMP, locals, n.bothNeighbours());
            try (DatagramChannel receiver = n.nsSink.call(() -> DatagramChannel.open()
                    .bind(new InetSocketAddress(InetAddress.getByName(RouterNetwork.SINK), PORT)));
                 DatagramChannel sender = n.nsSrc.call(() -> DatagramChannel.open()
                         .connect(new InetSocketAddress(InetAddress.getByName(RouterNetwork.SINK), PORT)))) {
                // Record route: an option; the graph punts both directions, the kernel forwards and records.
                Shell.Result rr = Shell.execIn(n.src, "ping", "-R", "-c", "2", "-i", "0.2", "-W", "2", RouterNetwork.SINK);
                assertEquals(0, rr.exitCode(), rr.stdout() + rr.stderr());
                assertTrue(rr.stdout().contains("RR:"), rr.stdout());
                assertTrue(rr.stdout().contains(RouterNetwork.R1), "the router recorded itself: " + rr.stdout());
                assertEquals(4, dp.errorCount("punt", "options"), "2 requests + 2 replies with options");
                // Without options, ICMP goes through the graph.
                long before = dp.graphs().getFirst().stats().node("ip4-rewrite").packets();
                Shell.Result ping = Shell.execIn(n.src, "ping", "-c", "2", "-i", "0.2", "-W", "2", RouterNetwork.SINK);
                assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
                assertEquals(before + 4, dp.graphs().getFirst().stats().node("ip4-rewrite").packets());

                // TTL 1 to a local address is delivered, not expired (as Linux does): the kernel answers.
                Shell.Result local = Shell.execIn(n.src, "ping", "-t", "1", "-c", "1", "-W", "2", RouterNetwork.R0);
                assertEquals(0, local.exitCode(), local.stdout() + local.stderr());
                assertEquals(1, dp.errorCount("punt", "local-not-udp"));
                assertEquals(0, dp.errorCount("punt", "ttl-expired"));

                // A 4000-byte datagram leaves src as 3 fragments (MTU 1500). The classifier steers the first
                // here by its ports and the two later ones by laterFragments; the graph punts all three,
                // the kernel forwards them, and sink reassembles the datagram.
                byte[] big = new byte[4000];
                for (int i = 0; i < big.length; i++) {
                    big[i] = (byte) (i * 7);
                }
                sender.write(ByteBuffer.wrap(big));
                ByteBuffer b = ByteBuffer.allocate(8192);
                receiver.receive(b);
                assertArrayEquals(big, java.util.Arrays.copyOf(b.array(), b.position()));
                assertEquals(3, dp.errorCount("punt", "fragment"));
                System.out.print(dp.showRuntime());
                assertNoPuntLoss(dp);
            } finally {
                n.stop(dp);
            }
        }
    }

    @Test
    void aNetdevWithGenericXdpGetsNoKernelPathBecauseGenericXdpWouldSeeThePuntAgain(@TempDir Path dir)
            throws Exception {
        try (RouterNetwork n = new RouterNetwork();
             XskRedirectProgram generic = n.nsRtr.call(() -> XskRedirectProgram.attach(n.r1, XdpMode.GENERIC))) {
            // As a CNI plugin would have left it: right's XDP program attached in generic mode.
            assertEquals(XdpMode.GENERIC, generic.mode());
            String config = """
                    {"name": "rtr", "ports": [
                       {"name": "left", "netdev": "%s", "mode": "copy", "classifier": {"rules": %s}},
                       {"name": "right", "netdev": "%s", "mode": "copy"}],
                     "umem": {"frames": 4096, "frameSize": 2048, "ringSize": 1024}}""".formatted(n.r0, UDP_ALL, n.r1);
            Path file = dir.resolve("generic.json");
            java.nio.file.Files.writeString(file, config);
            var cfg = io.splitplane.api.ConfigJson.readFile(file, io.splitplane.api.dataplane.DataplaneConfig.class);
            Dataplane dp = n.nsRtr.call(() -> Dataplane.start(cfg, file.toString()));
            try {
                assertEquals(List.of(n.r0), dp.puntPath().ports().stream().map(PortPuntTap::netdev).toList());
                assertTrue(dp.summary().contains("kernel path of " + n.r0), dp.summary());
            } finally {
                n.stop(dp);
                n.nsRtr.run(generic::close);
            }
        }
    }

    private static void assertNoPuntLoss(Dataplane dp) {
        assertEquals(0, dp.errorCount("punt", "no-kernel-path"));
        assertEquals(0, dp.errorCount("punt", "inject-failed"));
    }
}
