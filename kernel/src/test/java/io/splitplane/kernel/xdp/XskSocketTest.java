package io.splitplane.kernel.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.testing.HugePages;
import io.splitplane.kernel.testing.TestNetwork;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * AF_XDP sockets on a real veth, without a steering program: setup as the kernel reports it,
 * sending frames built in UMEM through TX and reaping them on COMPLETION, and every kind of bad
 * input and misuse ending in a clear exception.
 */
class XskSocketTest {
    private static TestNetwork net;
    private static Link link;
    private static NetNamespace nsB;
    private static NetNamespace nsA;

    @BeforeAll
    static void network() {
        net = new TestNetwork();
        String a = Link.namespace(net, "A");
        String b = Link.namespace(net, "B");
        link = Link.create(net, a, b, 10);
        nsA = NetNamespace.open(a);
        nsB = NetNamespace.open(b);
    }

    @AfterAll
    static void cleanup() {
        nsA.close();
        nsB.close();
        net.close();
    }

    private static XskConfig.Builder config() {
        return XskConfig.builder().interfaceName(link.b().ifname()).queueId(0).ringSizes(256).mode(XskBindMode.COPY);
    }

    /**
     * Creates the socket in ns B. The kernel releases a closed socket's hold on its queue
     * asynchronously (deferred pool release), so a bind right after an earlier test closed its socket
     * may briefly see EBUSY: retry that for a while.
     */
    private static XskSocket createInB(XskConfig config, Umem umem) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                return nsB.call(() -> XskSocket.create(config, umem));
            } catch (KernelException e) {
                if (e.errno() != Errno.EBUSY || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.onSpinWait();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Test
    void bindsInCopyModeWithTheKernelsRingLayout() {
        try (Umem umem = Umem.allocate(UmemConfig.of(512).withChunkSize(2048));
             XskSocket s = createInB(config().build(), umem)) {
            assertFalse(s.isZeroCopy(), "veth has no zero-copy AF_XDP");
            assertEquals(link.b().ifindex(), s.ifindex(), "name resolved inside the namespace");
            assertEquals(AfXdp.XDP_COPY | AfXdp.XDP_USE_NEED_WAKEUP, s.bindFlags());
            assertTrue(umem.isRegistered());
            assertTrue(s.ownsFillAndCompletion());
            for (XdpRingLayout l : new XdpRingLayout[] {s.fill().layout(), s.completion().layout(), s.rx().layout(),
                    s.tx().layout()}) {
                assertEquals(XdpRingLayout.STANDARD_PRODUCER_OFFSET, l.producerOffset());
                assertEquals(XdpRingLayout.STANDARD_CONSUMER_OFFSET, l.consumerOffset());
                assertEquals(XdpRingLayout.STANDARD_FLAGS_OFFSET, l.flagsOffset());
                assertEquals(XdpRingLayout.STANDARD_DESC_OFFSET, l.descOffset());
                assertEquals(256, l.entries());
            }
            assertTrue(s.tx().needsWakeup(), "creating the TX ring pre-sets NEED_WAKEUP");
            assertEquals(new XskStatistics(0, 0, 0, 0, 0, 0), s.statistics());
            assertEquals(256, s.fill().freeSlots());
            assertEquals(0, s.rx().peek(64), "no steering program: nothing arrives");
            assertEquals(0, s.poll(AfXdp.POLLIN, 0), "poll: nothing to read");
            assertTrue((s.poll(AfXdp.POLLOUT, 0) & AfXdp.POLLOUT) != 0, "poll: TX has room");
            assertEquals(XskSocket.KICK_DONE, s.kickTx(), "kick with an empty TX ring is fine");
            assertEquals(XskSocket.KICK_DONE, s.wakeupRx());
        }
    }

    /**
     * TX and COMPLETION without any XDP program: frames built in UMEM go out of the veth in ns B and
     * arrive in a datagram socket in ns A; every address comes back on COMPLETION exactly once.
     */
    @Test
    void sendsFramesBuiltInUmemAndReapsTheirCompletions() throws Exception {
        int count = 2000;
        try (Umem umem = Umem.allocate(UmemConfig.of(256).withChunkSize(2048));
             XskSocket s = createInB(config().rxRingSize(0).build(), umem);
             DatagramChannel receiver = nsA.call(() -> DatagramChannel.open()
                     .setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20)
                     .bind(link.a().socketAddress(7001)))) {
            assertFalse(s.hasRx());
            IllegalStateException noRx = assertThrows(IllegalStateException.class, s::rx);
            assertTrue(noRx.getMessage().contains("rxRingSize=0"), noRx.getMessage());
            FrameLedger ledger = new FrameLedger(umem);
            FrameStack free = FrameStack.of(umem);
            TxRing tx = s.tx();
            CompletionRing comp = s.completion();
            long sent = 0;
            long completed = 0;
            Set<Long> inFlight = new HashSet<>();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (completed < count) {
                int want = (int) Math.min(free.size(), count - sent);
                int n = tx.reserve(want);
                for (int i = 0; i < n; i++) {
                    long addr = free.pop() + umem.dataOffset();
                    int len = UdpFrames.write(umem.memory(), umem.offset(addr), link.b(), link.a(), 7000, 7001, sent + i);
                    ledger.toTx(addr);
                    assertTrue(inFlight.add(umem.chunkBase(addr)));
                    tx.set(i, addr, len);
                }
                tx.submit(n);
                sent += n;
                int kick = s.kickTxIfNeeded();
                assertTrue(kick >= 0, "kick failed: " + kick);
                int c = comp.peek(64);
                for (int i = 0; i < c; i++) {
                    long addr = comp.addr(i);
                    ledger.fromCompletion(addr);
                    assertTrue(inFlight.remove(umem.chunkBase(addr)), "completion of a frame not in flight: " + addr);
                    free.push(umem.chunkBase(addr));
                }
                comp.release(c);
                completed += c;
                assertTrue(System.nanoTime() - deadline < 0, "stalled: sent=" + sent + " completed=" + completed);
            }
            assertEquals(umem.frameCount(), ledger.count(FrameLedger.USER));
            assertEquals(0, comp.available());
            assertEquals(0, s.statistics().txInvalidDescs());
            assertTrue(s.txKicks() > 0);
            assertEquals(0, s.txKickErrors());

            ByteBuffer buf = ByteBuffer.allocate(2048);
            byte[] bytes = buf.array();
            receiver.configureBlocking(true);
            for (long seq = 0; seq < count; seq++) {
                buf.clear();
                receiver.receive(buf);
                assertEquals(UdpFrames.OK, UdpFrames.checkPayload(bytes, buf.position(), seq), "datagram " + seq);
            }
        }
    }

    /**
     * The syscall half of the hot path (kick, wakeup, poll) allocates nothing once the JIT has
     * compiled it. (Interpreted, the FFM downcall machinery boxes: about 40 bytes a call for the
     * first few thousand calls.)
     */
    @Test
    void kickWakeupAndPollAllocateNothingOnceCompiled() {
        try (Umem umem = Umem.allocate(UmemConfig.of(64).withChunkSize(2048));
             XskSocket s = createInB(config().build(), umem)) {
            com.sun.management.ThreadMXBean mx =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            // When the JIT gets to it depends on the machine's load, so warm up in rounds until a
            // round allocates nothing (or give up after a generous number of rounds and fail).
            long sink = 0;
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 20 && allocated >= 1024; round++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                sink += syscalls(s, 50_000);
                allocated = mx.getCurrentThreadAllocatedBytes() - before;
            }
            assertTrue(sink >= 0);
            // A few hundred bytes may come from the JIT replacing frames (OSR, deoptimisation): not per call.
            assertTrue(allocated < 1024, "kick/wakeup/poll still allocated " + allocated
                    + " bytes over 150000 calls after 20 rounds of warm-up");
            assertEquals(0, s.txKickErrors());
            assertEquals(0, s.rxWakeupErrors());
        }
    }

    private static long syscalls(XskSocket s, int rounds) {
        long sum = 0;
        for (int i = 0; i < rounds; i++) {
            sum += s.kickTx();
            sum += s.wakeupRx();
            sum += s.poll(AfXdp.POLLIN, 0);
        }
        return sum;
    }

    @Test
    void closesExactlyOnceAndRefusesUseAfterClose() {
        Umem umem = Umem.allocate(UmemConfig.of(64).withChunkSize(2048));
        XskSocket s = createInB(config().build(), umem);
        FillRing fill = s.fill();
        RxRing rx = s.rx();
        TxRing tx = s.tx();
        s.close();
        s.close();
        assertFalse(s.isOpen());
        assertFalse(umem.isRegistered(), "closing the socket gives up the registration");
        assertThrows(IllegalStateException.class, s::fd);
        assertThrows(IllegalStateException.class, s::kickTx);
        assertThrows(IllegalStateException.class, s::wakeupRx);
        assertThrows(IllegalStateException.class, () -> s.poll(AfXdp.POLLIN, 0));
        assertThrows(IllegalStateException.class, s::statistics);
        assertThrows(IllegalStateException.class, s::isZeroCopy);
        // Ring memory is unmapped: every access throws instead of crashing. (reserve alone may be
        // answered from the cached indices without touching memory; writing the slot cannot.)
        assertThrows(IllegalStateException.class, fill::freeSlots);
        assertThrows(IllegalStateException.class, () -> {
            fill.reserve(1);
            fill.set(0, 0);
        });
        assertThrows(IllegalStateException.class, () -> rx.peek(1));
        assertThrows(IllegalStateException.class, () -> tx.needsWakeup());
        // The UMEM can be registered again by a new socket once the old one is gone.
        try (XskSocket again = createInB(config().build(), umem)) {
            assertTrue(again.isOpen());
        }
        umem.close();
        umem.close();
        assertThrows(IllegalStateException.class, () -> createInB(config().build(), umem), "closed UMEM");
    }

    /** Unaligned-chunk UMEMs and the optional socket options (TX budget, busy poll) are accepted by the kernel. */
    @Test
    void unalignedUmemAndOptionalSocketOptions() {
        try (Umem umem = Umem.allocate(UmemConfig.of(100).withUnalignedChunks(true).withChunkSize(3000).withHeadroom(64));
             XskSocket s = createInB(config().txBudget(64).busyPoll(20, 16).build(), umem)) {
            assertTrue(umem.isRegistered());
            assertEquals(300_000, umem.size());
            assertTrue(s.isOpen());
            assertEquals(UmemLayout.unalignedAddress(3000, 320), 3000 | (320L << 48));
        }
    }

    private static void failsWith(Class<? extends Throwable> type, String text, Executable action) {
        Throwable t = assertThrows(type, action);
        assertTrue(t.getMessage().contains(text), () -> "message '" + t.getMessage() + "' lacks '" + text + "'");
    }

    @Test
    void badInputGivesClearExceptions() {
        try (Umem umem = Umem.allocate(UmemConfig.of(64).withChunkSize(2048))) {
            KernelException noDev = assertThrows(KernelException.class,
                    () -> createInB(XskConfig.builder().ifindex(999_999).ringSizes(64).build(), umem));
            assertEquals("bind(AF_XDP)", noDev.operation());
            assertEquals(Errno.ENODEV, noDev.errno());
            assertTrue(noDev.getMessage().contains("ifindex=999999"), noDev.getMessage());
            assertFalse(umem.isRegistered(), "a failed bind gives the UMEM back");

            KernelException noName = assertThrows(KernelException.class,
                    () -> createInB(XskConfig.builder().interfaceName("sptnosuch0").build(), umem));
            assertEquals("if_nametoindex(sptnosuch0)", noName.operation());

            KernelException badQueue = assertThrows(KernelException.class,
                    () -> createInB(config().queueId(5).build(), umem), "veth has one queue");
            assertEquals("bind(AF_XDP)", badQueue.operation());
            assertEquals(Errno.EINVAL, badQueue.errno());

            KernelException zeroCopy = assertThrows(KernelException.class,
                    () -> createInB(config().mode(XskBindMode.ZEROCOPY).build(), umem));
            assertEquals("bind(AF_XDP)", zeroCopy.operation());
            assertTrue(zeroCopy.getMessage().contains("flags=ZEROCOPY|NEED_WAKEUP"), zeroCopy.getMessage());
            System.out.println("forced zero-copy on veth: " + zeroCopy.getMessage());
            System.out.println("unknown ifindex: " + noDev.getMessage());

            try (XskSocket first = createInB(config().build(), umem)) {
                failsWith(IllegalStateException.class, "already registered", () -> createInB(config().build(), umem));
                KernelException busy = assertThrows(KernelException.class, () -> nsB.call(() -> {
                    try (Umem other = Umem.allocate(UmemConfig.of(64).withChunkSize(2048))) {
                        return XskSocket.create(config().build(), other);
                    }
                }), "a second UMEM on a busy queue");
                assertEquals("bind(AF_XDP)", busy.operation());
                assertEquals(Errno.EBUSY, busy.errno());
                assertTrue(first.isOpen());
            }
        }
        failsWith(IllegalArgumentException.class, "fillRingSize=100 is not a power of two",
                () -> config().fillRingSize(100).build());
        failsWith(IllegalArgumentException.class, "rxRingSize=16 is below the minimum 32",
                () -> config().rxRingSize(16).build());
        failsWith(IllegalArgumentException.class, "chunkSize=3000 is not a power of two",
                () -> UmemConfig.of(64).withChunkSize(3000));
        failsWith(IllegalArgumentException.class, "chunkSize=1024 is below", () -> UmemConfig.of(64).withChunkSize(1024));
    }

    @Test
    void hugepageUmemBacksASocket() {
        UmemConfig huge = UmemConfig.of(2048).withChunkSize(2048).withHugePages(true); // 4 MiB: two pages
        try (HugePages reserved = HugePages.reserve(4); Umem umem = Umem.allocate(huge)) {
            assertTrue(umem.isHugePages());
            assertEquals(0, umem.mappedLength() % reserved.pageSize());
            assertEquals(reserved.free() + umem.mappedLength() / reserved.pageSize(), reserved.reservedFree(),
                    "the UMEM took its pages from the reserve");
            try (XskSocket s = createInB(config().build(), umem)) {
                assertTrue(s.isOpen());
                assertEquals(0, s.statistics().rxDropped());
            }
        }
    }

    @Test
    void hugepagesFailClearlyWhenTooFewAreFree() {
        try (HugePages reserved = HugePages.reserve(1)) {
            long tooMany = (reserved.reservedFree() + 1) * reserved.pageSize() / 2048;
            UmemConfig huge = UmemConfig.of((int) tooMany).withChunkSize(2048).withHugePages(true);
            KernelException e = assertThrows(KernelException.class, () -> Umem.allocate(huge));
            assertEquals("mmap(UMEM, MAP_HUGETLB)", e.operation());
            assertEquals(Errno.ENOMEM, e.errno());
            assertTrue(e.getMessage().contains("HugePages_Free="), e.getMessage());
            assertTrue(e.getMessage().contains("vm.nr_hugepages"), e.getMessage());
        }
    }

    @Test
    void sharedUmemNeedsAnOpenOwner() {
        try (Umem umem = Umem.allocate(UmemConfig.of(64).withChunkSize(2048))) {
            XskSocket owner = createInB(config().build(), umem);
            owner.close();
            failsWith(IllegalStateException.class, "closed", () -> nsB.call(() -> XskSocket.createShared(config().build(),
                    owner)));
        }
        assertNotEquals(0, link.b().ifindex());
    }
}
