package io.splitplane.dataplane.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.RouterNetwork;
import io.splitplane.dataplane.examples.UdpEcho;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.kernel.testing.UdpWindowPump;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channels on a dataplane with two workers, one port each (two UMEMs): a channel's datagrams arrive
 * on the worker of the port they came in by, and its replies leave through that worker. Echo servers
 * on both router addresses; clients on both sides.
 */
class ChannelWorkersTest {
    private static byte[] payload(long seq) {
        byte[] p = new byte[8 + (int) (seq % 100)];
        ByteBuffer.wrap(p).putLong(seq);
        return p;
    }

    @Test
    void eachSideIsEchoedThroughTheWorkerItArrivedOn(@TempDir Path dir) throws Exception {
        try (RouterNetwork n = new RouterNetwork()) {
            String rules = """
                    [{"name": "echo", "action": "redirect", "protocol": "udp", "dstPorts": "7"}]""";
            String config = """
                    {"name": "rtr",
                     "ports": [
                       {"name": "left", "netdev": "%s", "mode": "copy", "classifier": {"rules": %s}},
                       {"name": "right", "netdev": "%s", "mode": "copy", "classifier": {"rules": %s}}],
                     "umem": {"frames": 4096, "frameSize": 2048, "ringSize": 1024},
                     "workers": [{"ports": ["left"]}, {"ports": ["right"]}],
                     "routes": [{"prefix": "10.81.1.0/24", "port": "left"}, {"prefix": "10.81.2.0/24", "port": "right"},
                                {"prefix": "%s/32", "type": "local"}, {"prefix": "%s/32", "type": "local"}],
                     "neighbours": %s}""".formatted(n.r0, rules, n.r1, rules, RouterNetwork.R0, RouterNetwork.R1,
                    n.bothNeighbours());
            Path file = dir.resolve("workers.json");
            Files.writeString(file, config);
            DataplaneConfig cfg = ConfigJson.readFile(file, DataplaneConfig.class);
            Dataplane dp = n.nsRtr.call(() -> Dataplane.start(cfg, file.toString()));
            InetSocketAddress left = new InetSocketAddress(InetAddress.getByName(RouterNetwork.R0), 7);
            InetSocketAddress right = new InetSocketAddress(InetAddress.getByName(RouterNetwork.R1), 7);
            try (UdpEcho echoLeft = UdpEcho.start(dp.channels(), left);
                 UdpEcho echoRight = UdpEcho.start(dp.channels(), right);
                 DatagramChannel fromSrc = n.nsSrc.call(() -> DatagramChannel.open().connect(left));
                 DatagramChannel fromSink = n.nsSink.call(() -> DatagramChannel.open().connect(right))) {
                assertEquals(1_000, UdpWindowPump.pump(fromSrc, fromSrc, 1_000, 16, ChannelWorkersTest::payload));
                assertEquals(1_000, UdpWindowPump.pump(fromSink, fromSink, 1_000, 16, ChannelWorkersTest::payload));
                GraphStats w0 = dp.graphs().get(0).stats();
                GraphStats w1 = dp.graphs().get(1).stats();
                System.out.print(dp.showRuntime());
                System.out.print(dp.channels().format());
                assertEquals(1_000, w0.port("left").get("tx-packets"), "left's echoes left through worker 0");
                assertEquals(1_000, w1.port("right").get("tx-packets"), "right's echoes left through worker 1");
                assertEquals(0, dp.errorCount("channel-tx", "egress-not-local"));
                assertEquals(1_000, echoLeft.echoed());
                assertEquals(1_000, echoRight.echoed());
            } finally {
                n.stop(dp);
            }
        }
    }
}
