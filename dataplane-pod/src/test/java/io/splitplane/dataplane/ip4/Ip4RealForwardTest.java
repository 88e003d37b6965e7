package io.splitplane.dataplane.ip4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.kernel.netlink.Napi;
import io.splitplane.kernel.netlink.NetdevGenlSocket;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import io.splitplane.kernel.testing.UdpWindowPump;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: three namespaces joined by two veth pairs, the dataplane started from a config file
 * in the router namespace in standalone mode (it attaches the classifier to both router veths with a
 * rule redirecting UDP to port 9300, opens AF_XDP ports on both on one UMEM, loads static routes and
 * neighbours). UDP from src reaches sink through the graph, and the graph's counters show every
 * datagram; ping across the router goes through the kernel (the classifier passes ICMP, the router's
 * kernel forwards it) and never shows up in the graph.
 *
 * <pre>
 *   src 10.80.1.1 ==veth== r0 10.80.1.2 [rtr: classifier + AF_XDP, ip4 graph; ip_forward=1] r1 10.80.2.2 ==veth== 10.80.2.1 sink
 * </pre>
 */
class Ip4RealForwardTest {
    private static final int PACKETS = 20_000;
    private static final int WINDOW = 128;
    private static final int PORT = 9300;
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private static String ns(TestNetwork net, String role) {
        String ns = net.namespace(role);
        Shell.execIn(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
                .orThrow();
        return ns;
    }

    private static String mac(String ns, String ifname) {
        Matcher m = MAC.matcher(Shell.ipIn(ns, "-o", "link", "show", "dev", ifname));
        if (!m.find()) {
            throw new IllegalStateException("no MAC for " + ifname);
        }
        return m.group(1);
    }

    private static byte[] payload(long seq) {
        byte[] p = new byte[16 + (int) (seq % 200)];
        ByteBuffer.wrap(p).putLong(seq);
        for (int i = 8; i < p.length; i++) {
            p[i] = (byte) (seq * 13 + i);
        }
        return p;
    }

    @Test
    void udpCrossesTheRouterThroughTheGraphWhilePingGoesThroughTheKernel(@TempDir Path dir) throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String src = ns(net, "src");
            String rtr = ns(net, "rtr");
            String sink = ns(net, "sink");
            TestNetwork.Veth left = net.veth(src, rtr);
            TestNetwork.Veth right = net.veth(rtr, sink);
            String s0 = left.a();
            String r0 = left.b();
            String r1 = right.a();
            String k1 = right.b();
            Shell.ipIn(src, "addr", "add", "10.80.1.1/24", "dev", s0);
            Shell.ipIn(rtr, "addr", "add", "10.80.1.2/24", "dev", r0);
            Shell.ipIn(rtr, "addr", "add", "10.80.2.2/24", "dev", r1);
            Shell.ipIn(sink, "addr", "add", "10.80.2.1/24", "dev", k1);
            Shell.execIn(rtr, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
            Shell.ipIn(src, "route", "add", "10.80.2.0/24", "via", "10.80.1.2");
            Shell.ipIn(sink, "route", "add", "10.80.1.0/24", "via", "10.80.2.2");
            // Static ARP for the router on both ends: UDP needs no resolution (ARP would still work: it
            // goes to the kernel).
            Shell.ipIn(src, "neigh", "replace", "10.80.1.2", "lladdr", mac(rtr, r0), "dev", s0, "nud", "permanent");
            Shell.ipIn(sink, "neigh", "replace", "10.80.2.2", "lladdr", mac(rtr, r1), "dev", k1, "nud", "permanent");
            Shell.execIn(src, "ethtool", "-K", s0, "tx", "off").orThrow();

            String config = """
                    {
                      "name": "rtr",
                      "ports": [
                        {"name": "left", "netdev": "%s", "mode": "copy",
                         "busyPoll": {"timeoutUs": 20, "budget": 64, "groFlushTimeoutUs": 300},
                         "classifier": {"rules": [
                          {"name": "app-udp", "action": "redirect", "protocol": "udp", "dstPorts": "%d"}]}},
                        {"name": "right", "netdev": "%s", "mode": "copy",
                         "tuning": {"fillBatch": 32, "txBudget": 64, "maxKicksPerTx": 4},
                         "classifier": {"rules": [
                          {"name": "app-udp", "action": "redirect", "protocol": "udp", "dstPorts": "%d"}]}}
                      ],
                      "umem": {"frames": 8192, "frameSize": 2048, "ringSize": 2048},
                      "workers": [{"ports": ["left", "right"], "vectorSize": 128}],
                      "routes": [
                        {"prefix": "10.80.1.0/24", "port": "left"},
                        {"prefix": "10.80.2.0/24", "port": "right"}
                      ],
                      "neighbours": [
                        {"ip": "10.80.1.1", "mac": "%s", "port": "left"},
                        {"ip": "10.80.2.1", "mac": "%s", "port": "right"}
                      ]
                    }""".formatted(r0, PORT, r1, PORT, mac(src, s0), mac(sink, k1));
            Path file = dir.resolve("rtr.json");
            Files.writeString(file, config);
            DataplaneConfig cfg = ConfigJson.readFile(file, DataplaneConfig.class);

            try (NetNamespace nsSrc = NetNamespace.open(src);
                 NetNamespace nsRtr = NetNamespace.open(rtr);
                 NetNamespace nsSink = NetNamespace.open(sink)) {
                Dataplane dp = nsRtr.call(() -> Dataplane.start(cfg, file.toString()));
                try (DatagramChannel receiver = nsSink.call(() -> DatagramChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getByName("10.80.2.1"), PORT)));
                     DatagramChannel sender = nsSrc.call(() -> DatagramChannel.open()
                             .connect(new InetSocketAddress(InetAddress.getByName("10.80.2.1"), PORT)))) {
                    System.out.print(dp.summary());
                    assertEquals(2, dp.attachedClassifiers().size());
                    // The config's tuning reached the port and the graph.
                    assertEquals(32, dp.ports().get(1).config().fillBatch());
                    assertEquals(64, dp.ports().get(1).config().txBudget());
                    assertEquals(4, dp.ports().get(1).config().maxKicksPerTx());
                    assertEquals(128, dp.graphs().getFirst().vectorSize());
                    // The busy-polling port's NAPI is held: deferral set through netdev generic netlink.
                    try (NetdevGenlSocket genl = NetdevGenlSocket.open(nsRtr);
                         RtnetlinkSocket rt = RtnetlinkSocket.open(nsRtr)) {
                        Napi held = genl.napis(rt.ifindex(r0)).getFirst();
                        assertEquals(2, held.deferHardIrqs());
                        assertEquals(300_000, held.groFlushTimeoutNs());
                        Napi other = genl.napis(rt.ifindex(r1)).getFirst();
                        assertEquals(0, other.deferHardIrqs(), "the port without busy polling is left alone");
                    }
                    long received = pump(sender, receiver);
                    assertEquals(PACKETS, received);

                    GraphStats st = dp.graphs().getFirst().stats();
                    System.out.print(st.format());
                    assertEquals(PACKETS, st.port("left").get("rx-packets"));
                    assertEquals(PACKETS, st.node("ip4-rewrite").packets());
                    assertEquals(PACKETS, st.port("right").get("tx-packets"));
                    assertEquals(0, st.port("right").get("rx-packets"));
                    assertEquals(0, st.errors().stream().mapToLong(GraphStats.ErrorStats::count).sum(), "no drops");

                    Shell.Result ping = Shell.execIn(src, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.80.2.1");
                    assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
                    assertTrue(ping.stdout().contains("3 received"), ping.stdout());
                    GraphStats after = dp.graphs().getFirst().stats();
                    assertEquals(PACKETS, after.port("left").get("rx-packets"), "ICMP did not enter the graph");
                    assertEquals(0, after.port("right").get("rx-packets"), "ICMP replies did not enter the graph");
                    assertEquals(PACKETS, after.node("eth-input").packets());
                } finally {
                    nsRtr.run(dp::close);
                }
                String xdp = Shell.ipIn(rtr, "-d", "link", "show");
                assertTrue(!xdp.contains("prog/xdp"), "classifiers detached: " + xdp);
            }
        }
    }

    private static long pump(DatagramChannel sender, DatagramChannel receiver) throws Exception {
        return UdpWindowPump.pump(sender, receiver, PACKETS, WINDOW, Ip4RealForwardTest::payload);
    }
}
