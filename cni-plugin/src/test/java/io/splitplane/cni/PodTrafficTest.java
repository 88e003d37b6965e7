package io.splitplane.cni;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.xdp.AfXdp;
import io.splitplane.kernel.xdp.FillRing;
import io.splitplane.kernel.xdp.RxRing;
import io.splitplane.kernel.xdp.Umem;
import io.splitplane.kernel.xdp.UmemConfig;
import io.splitplane.kernel.xdp.XskBindMode;
import io.splitplane.kernel.xdp.XskConfig;
import io.splitplane.kernel.xdp.XskSocket;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What ADD is for: UDP matched by the network's rule reaches an AF_XDP socket bound in the pod's
 * namespace and registered through the pinned XSKMAP (as a pod does, knowing only the pin path),
 * while ping to the pod's address is answered by the pod's kernel and UDP to other ports reaches
 * its kernel sockets.
 */
class PodTrafficTest {
    private static final int FRAMES = 64;
    private static final int APP_PORT = 4789;
    private static final int OTHER_PORT = 4790;

    @Test
    void matchedUdpReachesTheAfXdpSocketAndTheRestTheKernel() throws Exception {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            String gateway = "10." + f.subnet + ".0.1";
            Shell.ipIn(d.wire(), "addr", "add", gateway + "/24", "dev", d.peer());
            ObjectNode config = f.config("1.1.0", d.device());
            JsonNode result = CniCall.run(CniCall.env("ADD", "t1", netns, "net1"), config.toString()).ok().json();
            String podIp = result.path("ips").get(0).path("address").asText().split("/")[0];

            try (NetNamespace wire = NetNamespace.open(d.wire());
                 NetNamespace pod = NetNamespace.openPath(java.nio.file.Path.of(netns));
                 DatagramChannel sender = wire.call(() -> DatagramChannel.open(StandardProtocolFamily.INET));
                 DatagramChannel kernelSocket = pod.call(() -> DatagramChannel.open(StandardProtocolFamily.INET)
                         .bind(new InetSocketAddress(podIp, OTHER_PORT)));
                 Umem umem = Umem.allocate(UmemConfig.of(FRAMES).withChunkSize(2048));
                 XskSocket xsk = pod.call(() -> XskSocket.create(XskConfig.builder().interfaceName("net1").queueId(0)
                         .ringSizes(FRAMES).mode(XskBindMode.COPY).needWakeup(true).build(), umem));
                 BpfMap xsks = BpfMap.openPinned(new XskMapPaths(f.bpffs).hostMap(d.device()));
                 Arena arena = Arena.ofConfined()) {
                FillRing fill = xsk.fill();
                int n = fill.reserve(FRAMES);
                for (int i = 0; i < n; i++) {
                    fill.set(i, umem.frameAddress(i));
                }
                fill.submit(n);
                assertEquals(BpfMap.TYPE_XSKMAP, xsks.type());
                xsks.update(arena.allocateFrom(JAVA_INT, 0), arena.allocateFrom(JAVA_INT, xsk.fd()), BpfMap.ANY);

                assertEquals(0, Shell.execIn(d.wire(), "ping", "-c", "2", "-i", "0.2", "-W", "2", podIp).exitCode(),
                        "ping to the pod is answered by its kernel");
                List<String> sent = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    sent.add("app-" + i);
                    sender.send(ByteBuffer.wrap(("app-" + i).getBytes(StandardCharsets.UTF_8)),
                            new InetSocketAddress(podIp, APP_PORT));
                }
                assertEquals(sent, receive(xsk, umem, sent.size()));

                sender.send(ByteBuffer.wrap("kernel".getBytes(StandardCharsets.UTF_8)),
                        new InetSocketAddress(podIp, OTHER_PORT));
                ByteBuffer got = ByteBuffer.allocate(64);
                kernelSocket.receive(got);
                assertEquals("kernel", new String(got.array(), 0, got.position(), StandardCharsets.UTF_8));
            }
            ObjectNode del = config.deepCopy();
            del.set("prevResult", result);
            CniCall.run(CniCall.env("DEL", "t1", netns, "net1"), del.toString()).ok();
            f.assertHome(d);
        }
    }

    /** The UDP payloads of the next {@code count} frames on the socket's RX ring. */
    private static List<String> receive(XskSocket xsk, Umem umem, int count) {
        RxRing rx = xsk.rx();
        FillRing fill = xsk.fill();
        List<String> payloads = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (payloads.size() < count) {
            assertTrue(System.nanoTime() - deadline < 0, "only " + payloads + " arrived; " + xsk.statistics());
            int n = rx.peek(FRAMES);
            if (n == 0) {
                xsk.poll(AfXdp.POLLIN, 50);
                continue;
            }
            long[] done = new long[n];
            for (int i = 0; i < n; i++) {
                long addr = rx.addr(i);
                byte[] frame = umem.frame(addr, rx.len(i)).toArray(JAVA_BYTE);
                int udp = 14 + (frame[14] & 0x0f) * 4;
                assertEquals(APP_PORT, ((frame[udp + 2] & 0xff) << 8) | (frame[udp + 3] & 0xff), "UDP to the app port");
                payloads.add(new String(frame, udp + 8, frame.length - udp - 8, StandardCharsets.UTF_8));
                done[i] = umem.chunkBase(addr);
            }
            rx.release(n);
            int r = fill.reserve(n);
            for (int i = 0; i < r; i++) {
                fill.set(i, done[i]);
            }
            fill.submit(r);
        }
        return payloads;
    }
}
