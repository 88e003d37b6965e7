package io.splitplane.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.PortRange;
import io.splitplane.api.classifier.Protocol;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import io.splitplane.kernel.xdp.AfXdp;
import io.splitplane.kernel.xdp.FillRing;
import io.splitplane.kernel.xdp.RxRing;
import io.splitplane.kernel.xdp.Umem;
import io.splitplane.kernel.xdp.UmemConfig;
import io.splitplane.kernel.xdp.XskBindMode;
import io.splitplane.kernel.xdp.XskConfig;
import io.splitplane.kernel.xdp.XskSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real traffic on a veth pair between two namespaces, the classifier attached natively to B's end:
 * UDP to the redirected port arrives in an AF_XDP socket on queue 0 (IPv4 and IPv6), while ping,
 * TCP and UDP to other ports reach B's kernel stack; a drop rule drops TCP on the wire; without a
 * registered socket the redirected port falls back to the kernel.
 */
class ClassifierTrafficTest {
    private static final int XSK_PORT = 9000;
    private static final int KERNEL_UDP_PORT = 9001;
    private static final int TCP_PORT = 9100;
    private static final int DROPPED_TCP_PORT = 2222;
    private static final String A4 = "10.123.0.1";
    private static final String B4 = "10.123.0.2";
    private static final String A6 = "fd00:123::1";
    private static final String B6 = "fd00:123::2";
    private static final int FRAMES = 64;
    private static final int PER_FAMILY = 10;

    private static final ClassifierRules RULES = ClassifierRules.of(
            ClassifierRule.of("to-xsk", Action.REDIRECT).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(XSK_PORT)),
            ClassifierRule.of("tcp-drop", Action.DROP).withProtocol(Protocol.TCP)
                    .withDstPorts(PortRange.of(DROPPED_TCP_PORT)));

    @Test
    void udpToTheRedirectedPortReachesAfXdpAndTheRestTheKernel() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String a = net.namespace("A");
            String b = net.namespace("B");
            TestNetwork.Veth veth = net.veth(a, b);
            Shell.ipIn(a, "addr", "add", A4 + "/24", "dev", veth.a());
            Shell.ipIn(b, "addr", "add", B4 + "/24", "dev", veth.b());
            Shell.ipIn(a, "addr", "add", A6 + "/64", "dev", veth.a(), "nodad");
            Shell.ipIn(b, "addr", "add", B6 + "/64", "dev", veth.b(), "nodad");
            try (NetNamespace nsA = NetNamespace.open(a);
                 NetNamespace nsB = NetNamespace.open(b);
                 Classifier classifier = Classifier.load();
                 DatagramChannel kernelUdp = nsB.call(() -> DatagramChannel.open(StandardProtocolFamily.INET6)
                         .bind(new InetSocketAddress(InetAddress.getByName("::"), XSK_PORT)));
                 DatagramChannel otherUdp = nsB.call(() -> DatagramChannel.open(StandardProtocolFamily.INET)
                         .bind(new InetSocketAddress(B4, KERNEL_UDP_PORT)));
                 DatagramChannel sender4 = nsA.call(() -> DatagramChannel.open(StandardProtocolFamily.INET));
                 DatagramChannel sender6 = nsA.call(() -> DatagramChannel.open(StandardProtocolFamily.INET6));
                 Umem umem = Umem.allocate(UmemConfig.of(FRAMES).withChunkSize(2048))) {
                assertEquals(XdpMode.NATIVE, nsB.call(() -> classifier.attach(veth.b())));
                classifier.replaceRules(RULES);
                kernelUdp.configureBlocking(false);
                InetSocketAddress xsk4 = new InetSocketAddress(B4, XSK_PORT);
                InetSocketAddress xsk6 = new InetSocketAddress(InetAddress.getByName(B6), XSK_PORT);

                // 1. No socket registered: the redirect rule falls back to the kernel, nothing is lost.
                sender4.send(ByteBuffer.wrap(bytes("before-registration")), xsk4);
                assertEquals("before-registration", receive(kernelUdp));

                // 2. An AF_XDP socket on queue 0: UDP to the port arrives there, IPv4 and IPv6.
                try (XskSocket xsk = nsB.call(() -> XskSocket.create(XskConfig.builder().interfaceName(veth.b())
                        .queueId(0).ringSizes(FRAMES).mode(XskBindMode.COPY).needWakeup(true).build(), umem))) {
                    FillRing fill = xsk.fill();
                    int n = fill.reserve(FRAMES);
                    for (int i = 0; i < n; i++) {
                        fill.set(i, umem.frameAddress(i));
                    }
                    fill.submit(n);
                    classifier.registerSocket(0, xsk.fd());

                    List<String> sent = new ArrayList<>();
                    for (int i = 0; i < PER_FAMILY; i++) {
                        sent.add("xsk-v4-" + i);
                        sender4.send(ByteBuffer.wrap(bytes("xsk-v4-" + i)), xsk4);
                        sent.add("xsk-v6-" + i);
                        sender6.send(ByteBuffer.wrap(bytes("xsk-v6-" + i)), xsk6);
                    }
                    List<String> received = receiveFromXsk(xsk, umem, sent.size());
                    assertEquals(sent.stream().sorted().toList(), received.stream().sorted().toList());
                    assertNull(kernelUdp.receive(ByteBuffer.allocate(64)), "the kernel socket got none of them");

                    // 3. Everything else still reaches the kernel stack.
                    assertEquals(0, Shell.execIn(a, "ping", "-c", "2", "-i", "0.2", "-W", "2", B4).exitCode(), "ping");
                    assertEquals(0, Shell.execIn(a, "ping", "-6", "-c", "1", "-W", "2", B6).exitCode(), "ping -6");
                    assertTcpWorks(nsA, nsB);
                    otherUdp.configureBlocking(true);
                    sender4.send(ByteBuffer.wrap(bytes("to-the-kernel")), new InetSocketAddress(B4, KERNEL_UDP_PORT));
                    ByteBuffer got = ByteBuffer.allocate(64);
                    otherUdp.receive(got);
                    assertEquals("to-the-kernel", new String(got.array(), 0, got.position(), StandardCharsets.UTF_8));

                    // 4. The drop rule drops on the wire: a listener exists, the SYNs never reach it.
                    try (ServerSocket listener = nsB.call(() -> new ServerSocket(DROPPED_TCP_PORT, 1,
                            InetAddress.getByName(B4)))) {
                        Exception refused = nsA.call(() -> {
                            try (Socket s = new Socket()) {
                                s.connect(new InetSocketAddress(B4, DROPPED_TCP_PORT), 300);
                                return null;
                            } catch (Exception e) {
                                return e;
                            }
                        });
                        assertTrue(refused instanceof SocketTimeoutException, "connect: " + refused);
                        assertTrue(listener.isBound());
                    }

                    ClassifierCounters counters = classifier.counters();
                    assertEquals(2L * PER_FAMILY, counters.outcome(Outcome.REDIRECT).packets(), counters.toString());
                    assertEquals(1, counters.outcome(Outcome.REDIRECT_NO_SOCKET).packets());
                    assertEquals(2L * PER_FAMILY + 1, counters.rule("to-xsk").packets());
                    assertTrue(counters.rule("tcp-drop").packets() >= 1, counters.toString());
                    assertEquals(counters.rule("tcp-drop"), counters.outcome(Outcome.DROP));
                    assertTrue(counters.outcome(Outcome.PASS_DEFAULT).packets() >= 6, "ping, tcp, udp: " + counters);
                    assertTrue(counters.outcome(Outcome.NOT_IP).packets() >= 1, "arp: " + counters);

                    // 5. Unregistered again: back to the kernel.
                    classifier.unregisterSocket(0);
                    kernelUdp.configureBlocking(true);
                    sender6.send(ByteBuffer.wrap(bytes("after-unregistration")), xsk6);
                    assertEquals("after-unregistration", receive(kernelUdp));
                }
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String receive(DatagramChannel channel) throws Exception {
        boolean blocking = channel.isBlocking();
        channel.configureBlocking(true);
        ByteBuffer buf = ByteBuffer.allocate(256);
        channel.receive(buf);
        channel.configureBlocking(blocking);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }

    /** Takes {@code count} frames from RX, checks each is UDP to {@link #XSK_PORT}, returns the payloads. */
    private static List<String> receiveFromXsk(XskSocket xsk, Umem umem, int count) {
        RxRing rx = xsk.rx();
        FillRing fill = xsk.fill();
        List<String> payloads = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (payloads.size() < count) {
            assertTrue(System.nanoTime() - deadline < 0, "only " + payloads.size() + " of " + count + " frames arrived; "
                    + xsk.statistics());
            int n = rx.peek(FRAMES);
            if (n == 0) {
                xsk.poll(AfXdp.POLLIN, 50);
                continue;
            }
            long[] done = new long[n];
            for (int i = 0; i < n; i++) {
                long addr = rx.addr(i);
                byte[] frame = umem.frame(addr, rx.len(i)).toArray(JAVA_BYTE);
                payloads.add(udpPayload(frame));
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

    /** The payload of an untagged IPv4/IPv6 UDP frame to {@link #XSK_PORT}. */
    private static String udpPayload(byte[] f) {
        int etherType = ((f[12] & 0xff) << 8) | (f[13] & 0xff);
        int l4;
        if (etherType == FrameBuilder.ETH_P_IP) {
            assertEquals(FrameBuilder.PROTO_UDP, f[14 + 9], "IPv4 protocol");
            l4 = 14 + (f[14] & 0x0f) * 4;
        } else {
            assertEquals(FrameBuilder.ETH_P_IPV6, etherType, "ethertype");
            assertEquals(FrameBuilder.PROTO_UDP, f[14 + 6], "IPv6 next header");
            l4 = 14 + 40;
        }
        int dport = ((f[l4 + 2] & 0xff) << 8) | (f[l4 + 3] & 0xff);
        int udpLength = ((f[l4 + 4] & 0xff) << 8) | (f[l4 + 5] & 0xff);
        assertEquals(XSK_PORT, dport, "UDP destination port");
        return new String(f, l4 + 8, udpLength - 8, StandardCharsets.UTF_8);
    }

    private static void assertTcpWorks(NetNamespace nsA, NetNamespace nsB) throws Exception {
        try (ServerSocket listener = nsB.call(() -> new ServerSocket(TCP_PORT, 1, InetAddress.getByName(B4)));
             Socket client = nsA.call(() -> {
                 Socket s = new Socket();
                 s.connect(new InetSocketAddress(B4, TCP_PORT), 2000);
                 return s;
             })) {
            listener.setSoTimeout(2000);
            try (Socket server = listener.accept()) {
                OutputStream out = client.getOutputStream();
                out.write(bytes("hello over tcp"));
                out.flush();
                InputStream in = server.getInputStream();
                assertArrayEquals(bytes("hello over tcp"), in.readNBytes(14));
            }
        }
    }
}
