package io.splitplane.dataplane.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.dataplane.graph.GraphWorker;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.graph.PortRxNode;
import io.splitplane.dataplane.graph.PortTxNode;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.testing.TestNetwork;
import io.splitplane.kernel.xdp.XskBindMode;
import io.splitplane.kernel.xdp.XskRedirectProgram;
import io.splitplane.kernel.xdp.XskStatistics;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The AF_XDP port on a real kernel: UDP from namespace A crosses a veth into an AfXdpPort in
 * namespace B (steered by {@code xsk_redirect}), goes through a graph on a worker thread
 * ({@code port-rx -> udp-echo -> port-tx}) and back to A. Frame accounting checks every move of
 * every frame; at the end every frame is in exactly one place and the counts are exact.
 *
 * <p>No drop is possible, so counts are exact: the sender keeps at most {@link #WINDOW} datagrams
 * outstanding, fewer than any queue on the path holds.
 */
class AfXdpPortTest {
    private static final int PACKETS = 120_000;
    private static final int WINDOW = 128;
    private static final int PORT_A = 9101;
    private static final int PORT_B = 9100;

    private static byte[] payload(long seq) {
        byte[] p = new byte[16 + (int) (seq % 400)];
        for (int i = 0; i < 8; i++) {
            p[i] = (byte) (seq >>> (56 - 8 * i));
        }
        for (int i = 8; i < p.length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }

    @Test
    void echoesThroughAGraphWithEveryFrameAccountedFor() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            VethLink link = VethLink.create(net, 31);
            AfXdpPortConfig config = AfXdpPortConfig.builder(link.ifB()).name("xdp0").mode(XskBindMode.COPY)
                    .frameCount(4096).ringSize(2048).frameAccounting(true).build();
            echo(link, config, PACKETS, 2048);
        }
    }

    @Test
    void twoQueuesShareOneUmemAndOnePool() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            VethLink link = VethLink.createMultiQueue(net, 33, 2);
            AfXdpPortConfig config = AfXdpPortConfig.builder(link.ifB()).name("xdp0").queues(0, 1)
                    .mode(XskBindMode.COPY).frameCount(4096).ringSize(1024).frameAccounting(true).build();
            echo(link, config, 20_000, 2048);
        }
    }

    /**
     * Opens the port in B, steers every configured queue into it, echoes {@code packets} datagrams
     * from A through {@code port-rx -> udp-echo -> port-tx} on a worker, and checks every count and
     * every frame.
     */
    @SuppressWarnings("try") // the channel may be closed early to unblock a stuck receiver
    private static void echo(VethLink link, AfXdpPortConfig config, int packets, int primed) throws Exception {
        try (NetNamespace nsA = NetNamespace.open(link.nsA());
             NetNamespace nsB = NetNamespace.open(link.nsB());
             XskRedirectProgram program = nsB.call(() -> XskRedirectProgram.attach(link.ifindexB(), XdpMode.NATIVE));
             AfXdpPort port = nsB.call(() -> AfXdpPort.open(config));
             DatagramChannel channel = nsA.call(() -> DatagramChannel.open()
                     .setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20)
                     .bind(link.a(PORT_A)).connect(link.b(PORT_B)))) {
            assertFalse(port.isZeroCopy());
            assertEquals(config.queues().size(), port.sockets().size());
            FrameAccounting acct = port.accounting();
            assertEquals(config.frameCount(), acct.frames());
            assertEquals(primed, acct.kernelRx(), "FILL rings primed with half the frames");
            assertEquals(config.frameCount() - primed, acct.pool());

            Graph graph = Graph.builder("xdp-echo").node(new PortRxNode(port, "udp-echo"))
                    .node(new UdpEchoNode("port-tx-xdp0", PORT_B)).node(new PortTxNode(port)).build();
            for (int q : config.queues()) {
                program.register(q, port.socket(q));
            }

            Semaphore window = new Semaphore(WINDOW);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong echoed = new AtomicLong();
            long start = System.nanoTime();
            GraphWorker worker = GraphWorker.builder(graph).start();
            Thread sender = Thread.ofPlatform().name("afxdp-sender").start(() -> {
                try {
                    for (long seq = 0; seq < packets && failure.get() == null; seq++) {
                        while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            if (failure.get() != null) {
                                return;
                            }
                        }
                        channel.write(ByteBuffer.wrap(payload(seq)));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            Thread receiver = Thread.ofPlatform().name("afxdp-receiver").start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(2048);
                try {
                    for (long seq = 0; seq < packets && failure.get() == null; seq++) {
                        buf.clear();
                        channel.read(buf);
                        byte[] expected = payload(seq);
                        if (buf.position() != expected.length
                                || !Arrays.equals(buf.array(), 0, buf.position(), expected, 0, expected.length)) {
                            throw new AssertionError("echo " + seq + " differs (length " + buf.position() + ")");
                        }
                        echoed.incrementAndGet();
                        window.release();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            try {
                receiver.join(60_000);
                if (receiver.isAlive()) {
                    failure.compareAndSet(null, new AssertionError("receiver stuck at echo " + echoed.get()));
                    channel.close();
                }
                sender.join(10_000);
                receiver.join(10_000);
            } finally {
                worker.close();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (worker.firstError() != null) {
                failure.compareAndSet(null, worker.firstError());
            }
            if (failure.get() != null) {
                throw new AssertionError("failed after echoed=" + echoed.get() + ", " + acct + ", "
                        + graph.stats().format(), failure.get());
            }

            // The worker is joined: this thread owns the port now. Let the last sends complete.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (acct.kernelTx() > 0 && System.nanoTime() < deadline) {
                port.service();
                Thread.sleep(1);
            }

            GraphStats st = graph.stats();
            System.out.printf("afxdp echo over queues %s: %d packets in %.2f s (%.0f round trips/s), %s%n%s",
                    config.queues(), packets, seconds, packets / seconds, acct, st.format());
            assertEquals(packets, echoed.get());

            // Every frame is in exactly one place.
            assertEquals(0, acct.graph(), "no frame left in the graph");
            assertEquals(0, acct.kernelTx(), "every sent frame completed");
            assertEquals(0, port.framesOnTxRings());
            assertEquals(port.framesOnRxRings(), acct.kernelRx(), "the ledger agrees with FILL + RX");
            assertEquals(port.pool().available(), acct.pool(), "the ledger agrees with the pool");
            assertEquals(config.frameCount(), acct.pool() + acct.kernelRx());

            // Exact counts.
            assertEquals(0, graph.errorCount("udp-echo", "not-echo"),
                    "only test datagrams reach the sockets (IPv6 off, static neighbours)");
            GraphStats.PortStats ps = st.port("xdp0");
            assertEquals(packets, ps.get("rx-packets"));
            assertEquals(packets, ps.get("tx-packets"));
            assertEquals(0, ps.get("tx-dropped"));
            assertEquals(0, ps.get("drops"));
            assertEquals(packets, port.counters().get(PortCounters.COMPLETED));
            assertEquals(packets, st.node("udp-echo").packets());
            assertEquals(0, ps.get("kick-errors"));
            assertTrue(ps.get("tx-kicks") > 0);
            XskStatistics xs = port.statistics();
            assertEquals(0, xs.rxDropped() + xs.rxInvalidDescs() + xs.txInvalidDescs() + xs.rxRingFull(),
                    xs.toString());
        }
    }

    @Test
    void anUnknownNetdevOrAQueueOutOfRangeIsAClearError() throws InterruptedException {
        try (TestNetwork net = new TestNetwork()) {
            VethLink link = VethLink.create(net, 32);
            try (NetNamespace nsB = NetNamespace.open(link.nsB())) {
                IllegalArgumentException noDev = assertThrows(IllegalArgumentException.class, () -> nsB.call(
                        () -> AfXdpPort.open(AfXdpPortConfig.builder("sptnosuch0").build())));
                assertEquals("netdev 'sptnosuch0' does not exist in this network namespace", noDev.getMessage());

                IllegalArgumentException queue = assertThrows(IllegalArgumentException.class, () -> nsB.call(
                        () -> AfXdpPort.open(AfXdpPortConfig.builder(link.ifB()).queues(0, 3).build())));
                assertEquals("queue=3 is out of range for netdev '" + link.ifB()
                        + "': it has 1 receive queue(s), 0..0", queue.getMessage());

                // veth has no zero-copy support: bind fails, naming the syscall, and nothing is left bound.
                KernelException zc = assertThrows(KernelException.class, () -> nsB.call(
                        () -> AfXdpPort.open(AfXdpPortConfig.builder(link.ifB()).mode(XskBindMode.ZEROCOPY).build())));
                assertTrue(zc.getMessage().contains("bind(AF_XDP)"), zc.getMessage());
                // ... so the queue is free again; and busy-poll options reach the socket (SO_PREFER_BUSY_POLL,
                // SO_BUSY_POLL, SO_BUSY_POLL_BUDGET: a rejected setsockopt would throw, naming it).
                try (AfXdpPort again = openRetryingBusy(nsB, AfXdpPortConfig.builder(link.ifB())
                        .mode(XskBindMode.COPY).busyPoll(20, 64, 50).build())) {
                    assertEquals(1, again.sockets().size());
                    assertEquals(20, again.sockets().getFirst().config().busyPollUs());
                    PacketVector v = new PacketVector();
                    assertEquals(0, again.rx(v, 256, 0), "nothing steered here");
                    assertEquals(1, again.counters().get(PortCounters.RX_WAKEUPS), "busy polling: recvfrom on empty RX");
                }

                // With accounting on, a frame freed twice or sent from the free pool fails at once.
                try (AfXdpPort checked = openRetryingBusy(nsB, AfXdpPortConfig.builder(link.ifB())
                        .mode(XskBindMode.COPY).frameAccounting(true).build())) {
                    long f = checked.allocate();
                    assertEquals(1, checked.accounting().graph());
                    checked.free(f + 300);
                    IllegalStateException twice = assertThrows(IllegalStateException.class, () -> checked.free(f));
                    assertTrue(twice.getMessage().contains("is already in the pool"), twice.getMessage());
                    IllegalStateException sendFree = assertThrows(IllegalStateException.class,
                            () -> checked.tx(new long[] {f}, new int[] {64}, 0, 1));
                    assertTrue(sendFree.getMessage().contains("is in the free pool"), sendFree.getMessage());
                    assertEquals(0, checked.accounting().graph());
                }
            }
        }
    }

    /**
     * Under overload the RX ring always fills the vector; the port must still busy-poll at least
     * once per hold period, or the kernel takes the NAPI back (see BusyPollConfig). With a hold of
     * 300 ms: the first rx polls, the next ones on a full ring do not, one after the hold does.
     */
    @Test
    void busyPollingPollsAFullRingOncePerHoldPeriod() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            VethLink link = VethLink.create(net, 34);
            try (NetNamespace nsA = NetNamespace.open(link.nsA());
                 NetNamespace nsB = NetNamespace.open(link.nsB());
                 XskRedirectProgram program = nsB.call(() -> XskRedirectProgram.attach(link.ifindexB(), XdpMode.NATIVE));
                 AfXdpPort port = openRetryingBusy(nsB, AfXdpPortConfig.builder(link.ifB()).mode(XskBindMode.COPY)
                         .busyPoll(20, 64, 300_000).build());
                 DatagramChannel channel = nsA.call(() -> DatagramChannel.open()
                         .bind(link.a(PORT_A)).connect(link.b(PORT_B)))) {
                program.register(0, port.socket(0));
                for (int i = 0; i < 8; i++) {
                    channel.write(ByteBuffer.wrap(payload(i)));
                }
                Thread.sleep(200); // the softirq moves all eight into the RX ring
                long[] wakeups = new long[5];
                for (int i = 0; i < 4; i++) {
                    wakeups[i] = receiveOne(port);
                }
                Thread.sleep(400);
                wakeups[4] = receiveOne(port);
                assertArrayEquals(new long[] {1, 1, 1, 1, 2}, wakeups,
                        "RX_WAKEUPS after each rx of one packet from a full ring");
            }
        }
    }

    /** Takes one packet (which must be there), frees it, and returns the port's busy-poll count. */
    private static long receiveOne(AfXdpPort port) {
        PacketVector v = new PacketVector();
        assertEquals(1, port.rx(v, 1, 0), "a packet waits in the RX ring");
        port.free(v.addr[0]);
        return port.counters().get(PortCounters.RX_WAKEUPS);
    }

    /**
     * Opens a port, retrying while bind answers EBUSY: the kernel releases a queue asynchronously
     * after the previous socket on it closed.
     */
    private static AfXdpPort openRetryingBusy(NetNamespace ns, AfXdpPortConfig config) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                return ns.call(() -> AfXdpPort.open(config));
            } catch (KernelException e) {
                if (e.errno() != Errno.EBUSY || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void badSettingsAreRejectedBeforeAnySyscall() {
        IllegalArgumentException ring = assertThrows(IllegalArgumentException.class,
                () -> AfXdpPortConfig.builder("eth0").ringSize(1000).build());
        assertTrue(ring.getMessage().startsWith("ringSize=1000 is not a power of two"), ring.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> AfXdpPortConfig.builder("eth0").queues(1, 1).build());
        assertEquals("queues=[1, 1] lists a queue twice", twice.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> AfXdpPortConfig.builder("eth0").queues(-1).build());
        assertEquals("queue=-1 is negative", negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AfXdpPortConfig.builder("eth0").fillBatch(0).build());
        assertEquals("eth0", AfXdpPortConfig.builder("eth0").build().name());
    }
}
