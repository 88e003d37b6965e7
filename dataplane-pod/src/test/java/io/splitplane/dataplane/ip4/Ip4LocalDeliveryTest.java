package io.splitplane.dataplane.ip4;

import static io.splitplane.dataplane.ip4.TestPackets.ETH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.channel.Channels;
import io.splitplane.dataplane.channel.UdpChannel;
import io.splitplane.dataplane.examples.UdpEcho;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Channels in the graph over in-memory ports (no kernel): what {@code ip4-local}, {@code channel-rx}
 * and {@code channel-tx} do to frames, byte for byte, that frames come back when a channel closes,
 * and that the worker's side allocates nothing.
 */
class Ip4LocalDeliveryTest {
    private static final int LOCAL = Ip4.parse("10.0.0.1");
    private static final int CLIENT = Ip4.parse("10.0.0.9");
    private static final long CLIENT_MAC = 0x02_00_00_00_00_99L;

    private static ForwardingHarness harness(Channels channels) {
        ForwardingHarness h = new ForwardingHarness(1, new Ip4Tables(2), channels, Map.of());
        h.tables.setTarget(LOCAL, 32, FibResult.local(0));
        h.tables.setRoute(Ip4.parse("10.0.0.0"), 24, Ip4Tables.Path.connected(0));
        h.tables.setNeighbour(0, CLIENT, CLIENT_MAC);
        h.giveFrames(0, 256); // what channel-tx stocks spare frames from (an AF_XDP port's pool has them)
        return h;
    }

    private static byte[] toLocal(int port, int payload, int id) {
        return TestPackets.udp(ForwardingHarness.PORT_MACS[0], CLIENT_MAC, CLIENT, LOCAL, 5555, port, 3, id, 0, payload);
    }

    /** RFC 768 checksum of the UDP datagram in {@code f} (with its pseudo header), 0 when valid. */
    private static int udpChecksum(byte[] f) {
        int ip = ETH;
        int udp = ip + 20;
        int len = TestPackets.u16(f, udp + 4);
        long sum = TestPackets.u16(f, ip + 12) + TestPackets.u16(f, ip + 14) + TestPackets.u16(f, ip + 16)
                + TestPackets.u16(f, ip + 18) + 17 + len;
        for (int i = 0; i < len; i += 2) {
            sum += i + 1 < len ? TestPackets.u16(f, udp + i) : (f[udp + i] & 0xFF) << 8;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    @Test
    void datagramsToABoundPortReachTheChannelAndItsRepliesLeaveWellFormed() throws Exception {
        Channels channels = new Channels(1);
        try (ForwardingHarness h = harness(channels); UdpChannel ch = channels.open()) {
            ch.bind(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 7)).configureBlocking(false);
            byte[] in = toLocal(7, 100, 1);
            h.run(); // stocks the channel's spare frames
            assertTrue(h.inject(0, in));
            assertTrue(h.inject(0, toLocal(8, 10, 2)));   // nobody bound: the kernel's
            h.run();
            ByteBuffer b = ByteBuffer.allocate(2048);
            InetSocketAddress from = ch.receive(b);
            assertEquals(new InetSocketAddress(InetAddress.getByName("10.0.0.9"), 5555), from);
            assertArrayEquals(Arrays.copyOfRange(in, ETH + 28, in.length), Arrays.copyOf(b.array(), b.position()));
            assertNull(ch.receive(b));
            assertEquals(1, h.graph.errorCount("punt", "no-channel"));
            assertEquals(1, h.graph.errorCount("punt", "no-kernel-path"));

            b.flip();
            assertEquals(100, ch.send(b, from));
            h.run();
            List<byte[]> out = h.collect(0);
            assertEquals(1, out.size());
            byte[] f = out.getFirst();
            assertEquals(CLIENT_MAC, TestPackets.mac(f, 0), "to the client's MAC");
            assertEquals(ForwardingHarness.PORT_MACS[0], TestPackets.mac(f, 6), "from the port's MAC");
            assertEquals(0x0800, TestPackets.u16(f, 12));
            assertEquals(0x45, f[ETH] & 0xFF);
            assertEquals(20 + 8 + 100, TestPackets.u16(f, ETH + 2));
            assertEquals(64, f[ETH + 8] & 0xFF, "TTL of a packet that starts here");
            assertEquals(17, f[ETH + 9]);
            assertEquals(TestPackets.checksum(f, ETH, 20), TestPackets.u16(f, ETH + 10), "IPv4 checksum");
            assertEquals(LOCAL, TestPackets.u32(f, ETH + 12));
            assertEquals(CLIENT, TestPackets.u32(f, ETH + 16));
            assertEquals(7, TestPackets.u16(f, ETH + 20));
            assertEquals(5555, TestPackets.u16(f, ETH + 22));
            assertEquals(0, udpChecksum(f), "UDP checksum valid");
            assertArrayEquals(Arrays.copyOfRange(in, ETH + 28, in.length), Arrays.copyOfRange(f, ETH + 28, f.length));
            assertEquals(1, ch.info().rxPackets());
            assertEquals(1, ch.info().txPackets());

            // Closing takes back the frames of its rings (spares, unread datagrams): on the worker.
            assertTrue(h.inject(0, toLocal(7, 10, 3)));
            h.run();
            assertEquals(1, ch.info().rxQueued());
            Thread closer = Thread.ofPlatform().start(ch::close);
            while (closer.isAlive()) {
                h.run();
            }
            assertTrue(channels.list().isEmpty());
            assertEquals(h.pairs.getFirst().memory().frameCount(), h.framesInPools(), "every frame back");
        }
    }

    @Test
    void aDatagramWithoutRouteOrNeighbourIsCountedNotLost() throws Exception {
        Channels channels = new Channels(1);
        try (ForwardingHarness h = harness(channels); UdpChannel ch = channels.open()) {
            ch.bind(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 7)).configureBlocking(false);
            h.run(); // stocks the spare frames
            assertEquals(5, ch.send(ByteBuffer.wrap("hello".getBytes()), new InetSocketAddress("10.0.0.50", 9)));
            assertEquals(5, ch.send(ByteBuffer.wrap("hello".getBytes()), new InetSocketAddress("172.16.0.1", 9)));
            h.run();
            assertEquals(1, h.graph.errorCount("channel-tx", "no-neighbour"));
            assertEquals(1, h.graph.errorCount("channel-tx", "no-route"));
            assertEquals(2, ch.info().txDropped());
            assertEquals(0, h.collect(0).size());
            channels.workersStopped(); // no worker thread here: closing need not wait for one
        }
    }

    @Test
    void theWorkerSideOfAnEchoAllocatesNothing() throws Exception {
        Channels channels = new Channels(1);
        try (ForwardingHarness h = harness(channels);
             UdpEcho echo = UdpEcho.startInGraph(channels, new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 7))) {
            byte[] in = toLocal(7, 64, 1);
            h.run(); // stocks the channel's spare frames
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long allocated = 0;
            int measured = 0;
            for (int round = 0; round < 300; round++) {
                for (int i = 0; i < 32; i++) {
                    h.inject(0, in);
                }
                long before = mx.getCurrentThreadAllocatedBytes();
                h.run();
                h.run();   // channel-tx sends what the handler queued
                if (round >= 100) {
                    allocated += mx.getCurrentThreadAllocatedBytes() - before;
                    measured += 32;
                }
                assertEquals(32, h.collect(0).size());
            }
            assertEquals(300 * 32, echo.echoed());
            assertTrue(allocated <= 2048, allocated + " bytes allocated over " + measured + " echoes");
            channels.workersStopped(); // no worker thread here: closing need not wait for one
        }
    }
}
