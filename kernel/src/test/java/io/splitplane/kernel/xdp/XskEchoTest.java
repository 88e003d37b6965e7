package io.splitplane.kernel.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.bpf.XdpAction;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Libc;
import io.splitplane.kernel.testing.TestNetwork;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The whole path on a real kernel: {@code xsk_redirect} (native XDP on a veth end in ns B) steers
 * UDP sent from ns A into an AF_XDP socket; the worker checks every frame, turns it around in
 * place and sends it back out through TX, reaps COMPLETION and refills FILL; ns A receives and
 * checks every echo.
 *
 * <p>No drop is possible, so counts are exact: the sender keeps at most {@link #WINDOW} datagrams
 * outstanding (released when the echo arrives), fewer than any queue on the path can hold (veth
 * ring 256, FILL/RX/TX/COMPLETION 2048, the receiver's 4 MiB buffer). A {@link FrameLedger} checks
 * every frame move: a frame returned by RX or COMPLETION while it is not the kernel's fails at once.
 */
class XskEchoTest {
    private static final int PACKETS = 120_000;
    private static final int WINDOW = 128;
    private static final int PORT_A = 9001;
    private static final int PORT_B = 9000;
    private static final int BATCH = 256;

    @Test
    @SuppressWarnings("try") // the channel is closed early on purpose to unblock a stuck receiver
    void echoesEveryDatagramThroughRxTxAndCompletion() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String a = Link.namespace(net, "A");
            String b = Link.namespace(net, "B");
            Link link = Link.create(net, a, b, 20);
            try (NetNamespace nsA = NetNamespace.open(a);
                 NetNamespace nsB = NetNamespace.open(b);
                 Umem umem = Umem.allocate(UmemConfig.of(4096).withChunkSize(2048));
                 XskRedirectProgram program = nsB.call(() -> XskRedirectProgram.attach(link.b().ifindex(), XdpMode.NATIVE));
                 XskSocket xsk = nsB.call(() -> XskSocket.create(XskConfig.builder().ifindex(link.b().ifindex())
                         .queueId(0).ringSizes(2048).mode(XskBindMode.COPY).needWakeup(true).build(), umem));
                 DatagramChannel channel = nsA.call(() -> DatagramChannel.open()
                         .setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20)
                         .bind(link.a().socketAddress(PORT_A))
                         .connect(link.b().socketAddress(PORT_B)))) {
                assertEquals(XdpMode.NATIVE, program.mode());
                assertFalse(xsk.isZeroCopy());

                Worker worker = new Worker(xsk, link);
                worker.warmUpSyscalls();
                long kicksBefore = xsk.txKicks();
                long againBefore = xsk.txKickRetries();
                long wakeupsBefore = xsk.rxWakeups();
                worker.primeFill();
                program.register(0, xsk);

                Semaphore window = new Semaphore(WINDOW);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                AtomicLong echoed = new AtomicLong();
                Thread sender = Thread.ofPlatform().name("xsk-echo-sender").start(() -> {
                    try {
                        for (long seq = 0; seq < PACKETS && failure.get() == null; seq++) {
                            while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                                if (failure.get() != null) {
                                    return;
                                }
                            }
                            channel.write(ByteBuffer.wrap(UdpFrames.payload(seq)));
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                });
                Thread receiver = Thread.ofPlatform().name("xsk-echo-receiver").start(() -> {
                    ByteBuffer buf = ByteBuffer.allocate(2048);
                    try {
                        for (long seq = 0; seq < PACKETS && failure.get() == null; seq++) {
                            buf.clear();
                            channel.read(buf);
                            int check = UdpFrames.checkPayload(buf.array(), buf.position(), seq);
                            if (check != UdpFrames.OK) {
                                throw new AssertionError("echo " + seq + " failed check " + check);
                            }
                            echoed.incrementAndGet();
                            window.release();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                });

                long start = System.nanoTime();
                try {
                    worker.run(PACKETS, start + 40_000_000_000L, failure);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                long workerDoneNs = System.nanoTime();
                // The worker is done once every frame is echoed and completed; wake a blocked receiver on failure.
                receiver.join(failure.get() == null ? 10_000 : 1);
                if (receiver.isAlive()) {
                    failure.compareAndSet(null, new AssertionError("receiver stuck at echo " + echoed.get()));
                    channel.close();
                }
                sender.join(10_000);
                receiver.join(10_000);
                if (failure.get() != null) {
                    throw new AssertionError("failed after rx=" + worker.rxFrames + ", tx=" + worker.txFrames
                            + ", completed=" + worker.completed + ", echoed=" + echoed.get() + ", stats="
                            + xsk.statistics() + ", " + worker.ledger, failure.get());
                }
                double seconds = (workerDoneNs - start) / 1e9;

                // Counts add up, exactly.
                assertEquals(PACKETS, echoed.get());
                assertEquals(PACKETS, worker.rxFrames);
                assertEquals(0, worker.otherFrames, "only test datagrams reach the socket");
                assertEquals(PACKETS, worker.txFrames);
                assertEquals(PACKETS, worker.completed);
                assertEquals(PACKETS, program.verdictCount(XdpAction.REDIRECT));

                // Every frame is in exactly one place, and the rings agree with the ledger.
                FrameLedger ledger = worker.ledger;
                assertEquals(0, ledger.count(FrameLedger.KERNEL_TX));
                assertEquals(xsk.fill().pending() + xsk.rx().available(), ledger.count(FrameLedger.KERNEL_RX));
                assertEquals(umem.frameCount(), ledger.count(FrameLedger.USER) + ledger.count(FrameLedger.KERNEL_RX));
                assertEquals(ledger.count(FrameLedger.USER), worker.free.size(), "every user frame is back in the pool");
                assertEquals(0, xsk.tx().pending());
                assertEquals(0, xsk.completion().available());

                XskStatistics stats = xsk.statistics();
                assertEquals(0, stats.rxDropped(), stats.toString());
                assertEquals(0, stats.rxInvalidDescs(), stats.toString());
                assertEquals(0, stats.txInvalidDescs(), stats.toString());
                assertEquals(0, stats.rxRingFull(), stats.toString());
                assertEquals(0, stats.rxFillRingEmptyDescs(), "FILL never ran dry: " + stats);
                assertEquals(0, xsk.txKickErrors());

                // The steady-state loop (after warm-up) allocated (next to) nothing.
                long perPacketMilli = worker.measuredAllocatedBytes * 1000 / Math.max(1, worker.measuredPackets);
                System.out.printf("xsk echo: %d packets in %.2f s = %.0f pps round trip; kicks=%d (again=%d), "
                                + "rx wakeups=%d, polls=%d; steady-state allocation %d bytes over %d packets; %s%n",
                        PACKETS, seconds, PACKETS / seconds, xsk.txKicks() - kicksBefore,
                        xsk.txKickRetries() - againBefore, xsk.rxWakeups() - wakeupsBefore,
                        worker.polls, worker.measuredAllocatedBytes, worker.measuredPackets, stats);
                assertTrue(worker.measuredPackets >= PACKETS / 2);
                assertTrue(worker.measuredAllocatedBytes < 16 * 1024,
                        "worker loop allocated " + worker.measuredAllocatedBytes + " bytes over " + worker.measuredPackets
                                + " packets (" + perPacketMilli + " milli-bytes per packet)");

                program.unregister(0);
                program.unregister(0);
                IllegalArgumentException wrongQueue = org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class, () -> program.register(1, xsk));
                assertTrue(wrongQueue.getMessage().contains("queueId=0"), wrongQueue.getMessage());
                program.close();
                program.close();
            }
        }
    }

    /** The AF_XDP side: one thread, batch calls only, allocation-free in its loop. */
    private static final class Worker {
        final XskSocket xsk;
        final Umem umem;
        final MemorySegment memory;
        final Link link;
        final FrameLedger ledger;
        final FrameStack free;
        final FillRing fill;
        final RxRing rx;
        final TxRing tx;
        final CompletionRing comp;
        long rxFrames;
        long otherFrames;
        long txFrames;
        long completed;
        long polls;
        long measuredAllocatedBytes;
        long measuredPackets;

        Worker(XskSocket xsk, Link link) {
            this.xsk = xsk;
            this.umem = xsk.umem();
            this.memory = umem.memory();
            this.link = link;
            this.ledger = new FrameLedger(umem);
            this.free = FrameStack.of(umem);
            this.fill = xsk.fill();
            this.rx = xsk.rx();
            this.tx = xsk.tx();
            this.comp = xsk.completion();
        }

        /**
         * Lets the JIT compile the kick/wakeup/poll paths before traffic: interpreted FFM downcalls box
         * (about 40 bytes a call), and in this test they run only a few thousand times, fewer than
         * it takes to get them compiled. With an empty TX ring and no RX these calls do nothing; the
         * calls on fd -1 take the error branch, which the echo's EAGAIN kicks take later.
         */
        void warmUpSyscalls() {
            for (int i = 0; i < 30_000; i++) {
                xsk.kickTx();
                xsk.wakeupRx();
                xsk.poll(AfXdp.POLLIN, 0);
                // The same downcalls failing (EBADF), so that their errno branch is compiled too: a
                // kick answered EAGAIN under load must not deoptimise into the boxing interpreter.
                Libc.sendto0(-1, MemorySegment.NULL, 0, AfXdp.MSG_DONTWAIT, MemorySegment.NULL, 0);
                Libc.recvfrom0(-1, MemorySegment.NULL, 0, AfXdp.MSG_DONTWAIT, MemorySegment.NULL, MemorySegment.NULL);
            }
        }

        void primeFill() {
            refill();
            assertEquals(fill.size(), fill.pending(), "FILL primed full");
        }

        private int refill() {
            final int n = fill.reserve(free.size());
            for (int i = 0; i < n; i++) {
                final long addr = free.pop();
                ledger.toFill(addr);
                fill.set(i, addr);
            }
            fill.submit(n);
            return n;
        }

        void run(long packets, long deadlineNs, AtomicReference<Throwable> failure) {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            final long measureFrom = packets / 5;
            long allocatedAtStart = -1;
            long packetsAtStart = 0;
            int idle = 0;
            long expectedSeq = 0;
            final long dataOffset = umem.dataOffset();
            while (completed < packets) {
                if (allocatedAtStart < 0 && rxFrames >= measureFrom) {
                    allocatedAtStart = mx.getCurrentThreadAllocatedBytes();
                    packetsAtStart = rxFrames;
                }
                int work = 0;

                // 1. Reap completions: the frames are ours again.
                final int c = comp.peek(BATCH);
                for (int i = 0; i < c; i++) {
                    final long addr = comp.addr(i);
                    ledger.fromCompletion(addr);
                    free.push(umem.chunkBase(addr));
                }
                comp.release(c);
                completed += c;
                work += c;

                // 2. Keep FILL full.
                work += refill();
                if (fill.needsWakeup()) {
                    xsk.wakeupRx();
                }

                // 3. Receive, check, turn around, queue for TX: an RX frame moves straight to TX.
                final int n = rx.peek(BATCH);
                if (n > 0) {
                    final int t = tx.reserve(n);
                    int out = 0;
                    for (int i = 0; i < t; i++) {
                        final long addr = rx.addr(i);
                        final int len = rx.len(i);
                        ledger.fromRx(addr);
                        rxFrames++;
                        final long off = umem.offset(addr);
                        if (addr - umem.chunkBase(addr) != dataOffset) {
                            throw new AssertionError("RX addr=" + addr + " is not at chunk base + " + dataOffset);
                        }
                        final int check = UdpFrames.check(memory, off, len, link.a(), link.b(), PORT_A, PORT_B,
                                expectedSeq);
                        if (check == UdpFrames.NOT_OURS) {
                            otherFrames++;
                            rxFrames--;
                            free.push(umem.chunkBase(addr));
                            continue;
                        }
                        if (check != UdpFrames.OK) {
                            throw new AssertionError("frame " + expectedSeq + " (seq in frame "
                                    + UdpFrames.seqOf(memory, off) + ", len " + len + ") failed check " + check);
                        }
                        expectedSeq++;
                        UdpFrames.turnAround(memory, off);
                        ledger.toTx(addr);
                        tx.set(out++, addr, len);
                    }
                    rx.release(t);
                    rx.cancel(n - t);
                    tx.submit(out);
                    tx.cancel(t - out);
                    txFrames += out;
                    work += t;
                }

                // 4. Copy mode: the kick does the sending, at most 32 frames a call.
                if (tx.pending() > 0 && tx.needsWakeup()) {
                    final int kick = xsk.kickTx();
                    if (kick < 0) {
                        throw new AssertionError("kickTx failed with errno " + -kick);
                    }
                    work++;
                }

                if (work == 0) {
                    if (++idle > 64) {
                        polls++;
                        xsk.poll(AfXdp.POLLIN, 1);
                    } else {
                        Thread.yield();
                    }
                    if (failure.get() != null) {
                        return;
                    }
                    if (System.nanoTime() - deadlineNs > 0) {
                        throw new AssertionError("timed out");
                    }
                } else {
                    idle = 0;
                }
            }
            if (allocatedAtStart >= 0) {
                measuredAllocatedBytes = mx.getCurrentThreadAllocatedBytes() - allocatedAtStart;
                measuredPackets = rxFrames - packetsAtStart;
            }
        }
    }
}
