package io.splitplane.dataplane.channel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.RouterNetwork;
import io.splitplane.dataplane.examples.UdpEcho;
import io.splitplane.dataplane.port.AfXdpPortConfig;
import io.splitplane.dataplane.port.FrameAccounting;
import io.splitplane.kernel.testing.UdpWindowPump;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channels against the real kernel: the router of {@link RouterNetwork} runs the dataplane (AF_XDP on
 * veth, the classifier redirecting UDP to 10.81.1.2 into the graph), with 10.81.1.2 a local address in
 * the graph's FIB; applications bind channels to it. A client in the src namespace talks to them with
 * ordinary kernel sockets. Frame accounting is on: every frame move is checked.
 */
class ChannelEchoTest {
    private static final String RULES = """
            [{"name": "to-router", "action": "redirect", "protocol": "udp", "dstPrefixes": ["10.81.1.2/32"]}]""";
    private static final String LOCAL = """
            {"prefix": "10.81.1.2/32", "type": "local"}""";
    private static final InetSocketAddress ECHO = new InetSocketAddress(addr(RouterNetwork.R0), 7);

    private RouterNetwork n;
    private Dataplane dp;

    private static InetAddress addr(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        System.setProperty(AfXdpPortConfig.FRAME_ACCOUNTING_PROPERTY, "true");
        n = new RouterNetwork();
        try {
            dp = n.start(dir, RULES, LOCAL, n.bothNeighbours());
        } finally {
            System.clearProperty(AfXdpPortConfig.FRAME_ACCOUNTING_PROPERTY);
        }
    }

    @AfterEach
    void stop() {
        try {
            n.stop(dp);
        } finally {
            n.close();
        }
    }

    private DatagramChannel client(InetSocketAddress server) throws Exception {
        DatagramChannel c = n.nsSrc.call(() -> DatagramChannel.open().connect(server));
        return c;
    }

    private static byte[] payload(long seq) {
        byte[] p = new byte[8 + (int) (seq % 300)];
        ByteBuffer.wrap(p).putLong(seq);
        for (int i = 8; i < p.length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }

    private FrameAccounting accounting() {
        return dp.ports().getFirst().accounting();
    }

    @Test
    void echoApplicationAnswersAClientInAnotherNamespace() throws Exception {
        try (UdpEcho echo = UdpEcho.start(dp.channels(), ECHO); DatagramChannel c = client(ECHO)) {
            long got = UdpWindowPump.pump(c, c, 5_000, 32, ChannelEchoTest::payload);
            assertEquals(5_000, got, "every datagram came back intact and in order");
            assertEquals(5_000, echo.echoed());
            List<ChannelInfo> list = dp.channels().list();
            assertEquals(1, list.size());
            ChannelInfo info = list.getFirst();
            System.out.println(dp.channels().format());
            assertEquals(RouterNetwork.R0, info.localAddress());
            assertEquals(7, info.localPort());
            assertEquals(5_000, info.rxPackets());
            assertEquals(5_000, info.txPackets());
            assertEquals(0, info.rxDropped() + info.txDropped());
            // The replies come from the bound address and port.
            c.write(ByteBuffer.wrap(payload(1)));
            ByteBuffer b = ByteBuffer.allocate(512);
            c.receive(b);
            assertEquals(ECHO, c.getRemoteAddress());
            assertEquals(0, dp.errorCount("punt", "no-channel"));
        }
    }

    @Test
    void callbackChannelEchoesOnTheWorkerWithoutACopy() throws Exception {
        try (UdpEcho echo = UdpEcho.startInGraph(dp.channels(), ECHO); DatagramChannel c = client(ECHO)) {
            assertEquals(2_000, UdpWindowPump.pump(c, c, 2_000, 16, ChannelEchoTest::payload));
            assertEquals(2_000, echo.echoed());
            assertEquals("callback", dp.channels().list().getFirst().mode());
        }
    }

    @Test
    void anUnboundPortIsTheKernelsWhichAnswersPortUnreachable() throws Exception {
        try (UdpEcho echo = UdpEcho.start(dp.channels(), ECHO);
             DatagramChannel c = client(new InetSocketAddress(addr(RouterNetwork.R0), 9))) {
            c.write(ByteBuffer.wrap("anyone?".getBytes()));
            // The kernel's ICMP port unreachable turns into ECONNREFUSED on the connected socket.
            assertThrows(PortUnreachableException.class, () -> c.receive(ByteBuffer.allocate(64)));
            assertEquals(1, dp.errorCount("punt", "no-channel"));
            assertEquals(0, echo.echoed());
        }
        // After the echo channel closed, port 7 is the kernel's too.
        try (DatagramChannel c = client(ECHO)) {
            c.write(ByteBuffer.wrap("still there?".getBytes()));
            assertThrows(PortUnreachableException.class, () -> c.receive(ByteBuffer.allocate(64)));
            assertEquals(2, dp.errorCount("punt", "no-channel"));
        }
    }

    @Test
    void nonBlockingReceiveReturnsNullWhenEmptyAndBindIsChecked() throws Exception {
        try (UdpChannel ch = dp.channels().open()) {
            ch.bind(ECHO).configureBlocking(false);
            assertNull(ch.receive(ByteBuffer.allocate(64)), "nothing has arrived");
            assertThrows(AlreadyBoundException.class, () -> ch.bind(ECHO));
            try (UdpChannel other = dp.channels().open()) {
                assertThrows(java.net.BindException.class, () -> other.bind(ECHO), "address in use");
            }
            try (DatagramChannel c = client(ECHO)) {
                c.write(ByteBuffer.wrap("hello".getBytes()));
                ByteBuffer b = ByteBuffer.allocate(64);
                InetSocketAddress[] from = new InetSocketAddress[1];
                await().atMost(Duration.ofSeconds(5)).until(() -> (from[0] = ch.receive(b)) != null);
                assertEquals("hello", new String(b.array(), 0, b.position()));
                assertEquals(new InetSocketAddress(addr(RouterNetwork.SRC), ((InetSocketAddress) c.getLocalAddress())
                        .getPort()), from[0]);
                assertNull(ch.receive(ByteBuffer.allocate(64)), "empty again");
            }
        }
    }

    @Test
    void closeGivesEveryFrameBackToThePorts() throws Exception {
        FrameAccounting acc = accounting();
        await().atMost(Duration.ofSeconds(5)).until(() -> acc.graph() == 0);
        UdpChannel ch = dp.channels().open();
        ch.bind(ECHO);
        try (DatagramChannel c = client(ECHO)) {
            for (int i = 0; i < 50; i++) {
                c.write(ByteBuffer.wrap(payload(i)));
            }
            // Nobody receives: the 50 datagrams wait on the channel's ring, plus its spare frames.
            await().atMost(Duration.ofSeconds(5)).until(() -> ch.info().rxQueued() == 50);
            assertTrue(acc.graph() >= 50, "frames held by the channel count as the graph's: " + acc);
            ch.close();
            assertTrue(!ch.isOpen());
            assertThrows(ClosedChannelException.class, () -> ch.receive(ByteBuffer.allocate(64)));
            await().atMost(Duration.ofSeconds(5)).until(() -> acc.graph() == 0);
            assertTrue(dp.channels().list().isEmpty(), "the closed channel is gone from the list");
            assertEquals(acc.frames(), acc.pool() + acc.kernelRx() + acc.kernelTx(), "every frame accounted: " + acc);
        }
    }
}
