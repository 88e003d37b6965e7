package io.splitplane.dataplane.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.bpf.Classifier;
import io.splitplane.bpf.ClassifierCounters;
import io.splitplane.bpf.Outcome;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.TestNetwork;
import io.splitplane.kernel.xdp.XskBindMode;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Pod mode: a classifier attached and pinned by another owner (as the CNI plugin does), and a port
 * that joins it through the pinned XSKMAP. While registered, UDP is redirected into the port's
 * socket; after close the slot is empty again and the classifier gives the traffic to the kernel.
 */
class XskMapRegistrationTest {
    private static final int PORT_A = 9201;
    private static final int PORT_B = 9200;

    @Test
    void socketsJoinAPinnedXskMapAndLeaveItOnClose() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            VethLink link = VethLink.create(net, 35);
            Path pins = net.bpffs().resolve("cni");
            ClassifierRules rules = ConfigJson.read("{\"rules\": [{\"name\": \"udp\", \"action\": \"redirect\","
                    + " \"protocol\": \"udp\", \"dstPorts\": \"" + PORT_B + "\"}]}", ClassifierRules.class, "test");
            try (NetNamespace nsA = NetNamespace.open(link.nsA());
                 NetNamespace nsB = NetNamespace.open(link.nsB());
                 Classifier cni = nsB.call(() -> {
                     Classifier c = Classifier.load();
                     c.attach(link.ifB());
                     c.replaceRules(rules);
                     c.pin(pins);
                     return c;
                 });
                 AfXdpPort port = nsB.call(() -> AfXdpPort.open(AfXdpPortConfig.builder(link.ifB())
                         .mode(XskBindMode.COPY).build()));
                 DatagramChannel channel = nsA.call(() -> DatagramChannel.open()
                         .bind(link.a(PORT_A)).connect(link.b(PORT_B)))) {
                Path map = pins.resolve(Classifier.XSKS_MAP_PIN);
                ClassifierCounters before = cni.counters();
                try (XskMapRegistration joined = XskMapRegistration.register(map, port)) {
                    assertEquals(java.util.List.of(0), joined.queues());
                    channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
                    PacketVector v = new PacketVector();
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (port.rx(v, 256, 0) == 0 && System.nanoTime() < deadline) {
                        port.service();
                        Thread.sleep(5);
                    }
                    assertEquals(1, v.count(), "the datagram reached the port's socket through the pinned map");
                    port.free(v.addr[0]);
                }
                assertEquals(1, cni.counters().since(before).outcome(Outcome.REDIRECT).packets());

                ClassifierCounters after = cni.counters();
                channel.write(ByteBuffer.wrap(new byte[] {5, 6, 7, 8}));
                Thread.sleep(200);
                ClassifierCounters delta = cni.counters().since(after);
                assertEquals(1, delta.outcome(Outcome.REDIRECT_NO_SOCKET).packets(), "slot emptied on close: " + delta);
                assertEquals(0, delta.outcome(Outcome.REDIRECT).packets());

                IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                        () -> XskMapRegistration.register(pins.resolve("nothing"), port));
                assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
                IllegalArgumentException notXsk = assertThrows(IllegalArgumentException.class,
                        () -> XskMapRegistration.register(pins.resolve("verdict_stats"), port));
                assertTrue(notXsk.getMessage().contains("not an XSKMAP"), notXsk.getMessage());
            }
        }
    }
}
