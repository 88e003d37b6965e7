package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ring index arithmetic on plain memory, with {@link KernelPeer} playing the kernel: free and
 * available counts, cached indices (re-read only when needed, as libxdp), wraparound at 2^32,
 * batch bounds and misuse, allocation-freedom, and a two-thread run that checks publication order.
 */
class XdpRingTest {
    private static final int SIZE = 64;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    private record Fill(FillRing ring, KernelPeer kernel) {
    }

    private record Rx(RxRing ring, KernelPeer kernel) {
    }

    private Fill fill(int start) {
        XdpRingLayout l = XdpRingLayout.standard(XdpDescLayout.UMEM_ADDR_SIZE, SIZE);
        MemorySegment s = KernelPeer.ring(arena, l, start);
        return new Fill(new FillRing(s, l), new KernelPeer(s, l));
    }

    private Rx rx(int start) {
        XdpRingLayout l = XdpRingLayout.standard(XdpDescLayout.SIZE, SIZE);
        MemorySegment s = KernelPeer.ring(arena, l, start);
        return new Rx(new RxRing(s, l), new KernelPeer(s, l));
    }

    @Test
    void producerReservesUpToTheFreeSlotsAndPublishesWithSubmit() {
        Fill f = fill(0);
        assertEquals(SIZE, f.ring.reserve(SIZE + 10), "a fresh ring has size free slots");
        for (int i = 0; i < SIZE; i++) {
            f.ring.set(i, 4096L * i);
        }
        assertEquals(0, f.kernel.producerWord(), "nothing is visible before submit");
        f.ring.submit(SIZE);
        assertEquals(SIZE, f.kernel.producerWord());
        assertEquals(0, f.ring.reserve(1), "full ring: back-pressure is 0, not an exception");

        long[] got = new long[SIZE];
        assertEquals(10, f.kernel.consume(got, null, 10));
        assertEquals(0L, got[0]);
        assertEquals(4096L * 9, got[9]);
        assertEquals(10, f.ring.reserve(20), "reserve re-reads the consumer when short and gets what is free");
        assertEquals(SIZE, f.ring.reserveIndex(), "the batch starts where the last one ended");
        f.ring.submit(10);
        assertEquals(SIZE, f.ring.pending());
    }

    @Test
    void producerUsesItsCachedConsumerUntilItRunsShort() {
        Fill f = fill(0);
        assertEquals(8, f.ring.reserve(8));
        f.ring.submit(8);
        // Scribble over the consumer word: while the cached view has room, it is never read.
        f.kernel.ring.set(JAVA_INT, f.kernel.layout.consumerOffset(), 0x4000_0000);
        assertEquals(SIZE - 8, f.ring.reserve(SIZE - 8));
        f.ring.submit(SIZE - 8);
        // Now short: the next reserve reads it and reports the inconsistency instead of overrunning.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.ring.reserve(1));
        assertTrue(e.getMessage().contains("inconsistent"), e.getMessage());
    }

    @Test
    void consumerPeeksReadsAndReleases() {
        Rx r = rx(0);
        assertEquals(0, r.ring.peek(16), "empty ring: 0");
        long[] addrs = {256, 2048 + 256, 4096 + 256, 6144 + 256, 8192 + 256};
        int[] lens = {60, 61, 62, 63, 64};
        assertEquals(5, r.kernel.produce(addrs, lens, 5));
        assertEquals(3, r.ring.peek(3));
        assertEquals(0, r.ring.peekIndex());
        for (int i = 0; i < 3; i++) {
            assertEquals(addrs[i], r.ring.addr(i));
            assertEquals(lens[i], r.ring.len(i));
            assertEquals(0, r.ring.options(i));
        }
        assertEquals(0, r.kernel.consumerWord(), "nothing released before release()");
        r.ring.release(3);
        assertEquals(3, r.kernel.consumerWord());

        // The kernel produces more, but the consumer only refreshes once its cached entries are used up.
        r.kernel.produce(new long[] {10240 + 256, 12288 + 256}, new int[] {65, 66}, 2);
        assertEquals(2, r.ring.peek(16), "cached producer still says 2 left");
        assertEquals(addrs[3], r.ring.addr(0));
        assertEquals(addrs[4], r.ring.addr(1));
        r.ring.release(2);
        assertEquals(2, r.ring.peek(16), "cache empty: re-read the producer");
        assertEquals(66, r.ring.len(1));
        r.ring.release(2);
        assertEquals(7, r.ring.consumerIndex());
    }

    @Test
    void indicesWrapAtTwoToTheThirtyTwo() {
        int start = 0xFFFF_FFF0; // 16 below 2^32
        Fill f = fill(start);
        Rx r = rx(start);
        long[] buf = new long[SIZE];
        int[] lens = new int[SIZE];
        long next = 0;
        long expect = 0;
        for (int round = 0; round < 200; round++) {
            int n = f.ring.reserve(13);
            assertEquals(13, n);
            for (int i = 0; i < n; i++) {
                f.ring.set(i, next++);
            }
            f.ring.submit(n);
            int got = f.kernel.consume(buf, null, SIZE);
            assertEquals(13, got);
            for (int i = 0; i < got; i++) {
                assertEquals(expect++, buf[i], "FILL entry order across the wrap");
                lens[i] = (int) buf[i];
            }
            assertEquals(got, r.kernel.produce(buf, lens, got));
            int seen = 0;
            while (seen < got) {
                int k = r.ring.peek(got - seen);
                for (int i = 0; i < k; i++) {
                    assertEquals(buf[seen + i], r.ring.addr(i));
                    assertEquals(lens[seen + i], r.ring.len(i));
                }
                r.ring.release(k);
                seen += k;
            }
        }
        int done = 200 * 13;
        assertEquals(start + done, f.ring.producerIndex(), "free-running u32 index");
        assertTrue(Integer.compareUnsigned(f.ring.producerIndex(), start) < 0, "wrapped past 2^32");
        assertEquals(start + done, r.ring.consumerIndex());
        assertEquals(0, r.ring.available());
        assertEquals(SIZE, f.ring.freeSlots());
    }

    @Test
    void fullAndEmptyAcrossTheWrap() {
        Fill f = fill(-3); // 0xFFFFFFFD
        assertEquals(SIZE, f.ring.reserve(SIZE));
        f.ring.submit(SIZE);
        assertEquals(0, f.ring.reserve(1));
        assertEquals(SIZE, f.ring.pending(), "prod - cons across the wrap");
        assertEquals(SIZE - 3, f.ring.producerIndex());
        long[] buf = new long[SIZE];
        assertEquals(SIZE, f.kernel.consume(buf, null, SIZE));
        assertEquals(0, f.ring.pending());
        assertEquals(SIZE, f.ring.reserve(SIZE));
    }

    @Test
    void batchesAreBoundedAndMisuseIsACallerBug() {
        Fill f = fill(0);
        assertEquals(4, f.ring.reserve(4));
        assertThrows(IndexOutOfBoundsException.class, () -> f.ring.set(4, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> f.ring.set(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> f.ring.submit(5));
        assertThrows(IllegalArgumentException.class, () -> f.ring.reserve(-1));
        assertThrows(IllegalStateException.class, () -> f.ring.fillFrom(new long[4], 0, 4),
                "bulk calls refuse an open reservation");
        f.ring.cancel(2);
        assertEquals(2, f.ring.reserved());
        assertEquals(2, f.ring.batchSize());
        f.ring.submit(2);
        assertEquals(0, f.ring.reserved());
        assertThrows(IllegalArgumentException.class, () -> f.ring.cancel(1));
        assertThrows(IndexOutOfBoundsException.class, () -> f.ring.fillFrom(new long[2], 0, 3));

        Rx r = rx(0);
        r.kernel.produce(new long[] {1, 2, 3}, new int[] {1, 2, 3}, 3);
        assertEquals(3, r.ring.peek(8));
        assertThrows(IndexOutOfBoundsException.class, () -> r.ring.addr(3));
        assertThrows(IllegalArgumentException.class, () -> r.ring.release(4));
        assertThrows(IllegalStateException.class, () -> r.ring.drainTo(new long[8], new int[8], 0, 8));
        r.ring.cancel(3);
        assertEquals(0, r.ring.peeked());
        long[] a = new long[8];
        int[] l = new int[8];
        assertEquals(3, r.ring.drainTo(a, l, 0, 8), "cancelled entries come back");
        assertEquals(3L, a[2]);
        assertEquals(3, l[2]);
    }

    @Test
    void needsWakeupFollowsTheFlagsWord() {
        Fill f = fill(0);
        assertFalse(f.ring.needsWakeup());
        f.kernel.setFlags(AfXdp.XDP_RING_NEED_WAKEUP);
        assertTrue(f.ring.needsWakeup());
        f.kernel.setFlags(0);
        assertFalse(f.ring.needsWakeup());
    }

    @Test
    void bulkCallsMoveArrays() {
        XdpRingLayout l = XdpRingLayout.standard(XdpDescLayout.SIZE, SIZE);
        MemorySegment s = KernelPeer.ring(arena, l, 100);
        TxRing tx = new TxRing(s, l);
        KernelPeer k = new KernelPeer(s, l);
        long[] addrs = new long[SIZE * 2];
        int[] lens = new int[SIZE * 2];
        for (int i = 0; i < addrs.length; i++) {
            addrs[i] = 2048L * i + 256;
            lens[i] = 60 + i;
        }
        assertEquals(SIZE, tx.sendFrom(addrs, lens, 0, SIZE * 2), "only what fits");
        long[] got = new long[SIZE];
        int[] gotLens = new int[SIZE];
        assertEquals(SIZE, k.consume(got, gotLens, SIZE));
        assertEquals(addrs[SIZE - 1], got[SIZE - 1]);
        assertEquals(lens[SIZE - 1], gotLens[SIZE - 1]);

        XdpRingLayout cl = XdpRingLayout.standard(XdpDescLayout.UMEM_ADDR_SIZE, SIZE);
        MemorySegment cs = KernelPeer.ring(arena, cl, 7);
        CompletionRing comp = new CompletionRing(cs, cl);
        KernelPeer ck = new KernelPeer(cs, cl);
        assertEquals(SIZE, ck.produce(got, null, SIZE));
        long[] back = new long[SIZE];
        assertEquals(SIZE, comp.drainTo(back, 0, SIZE));
        assertEquals(got[17], back[17]);
    }

    /**
     * The hot path allocates nothing: a long loop of fill → kernel → rx → fill with every batch call
     * is measured with the thread's allocation counter.
     */
    @Test
    void ringOperationsAllocateNothing() {
        Fill f = fill(-1000);
        Rx r = rx(12345);
        long[] frames = new long[SIZE];
        int[] lens = new int[SIZE];
        long[] scratch = new long[SIZE];
        for (int i = 0; i < SIZE; i++) {
            frames[i] = 2048L * i;
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long checksum = cycle(f, r, frames, lens, scratch, 200_000); // warm up: let C2 compile
        long before = mx.getCurrentThreadAllocatedBytes();
        checksum += cycle(f, r, frames, lens, scratch, 2_000_000);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(checksum != 0);
        assertTrue(allocated < 1024, "ring operations allocated " + allocated + " bytes over 2M cycles");
    }

    private static long cycle(Fill f, Rx r, long[] frames, int[] lens, long[] scratch, int rounds) {
        long sum = 0;
        for (int round = 0; round < rounds; round++) {
            int n = f.ring.reserve(32);
            for (int i = 0; i < n; i++) {
                f.ring.set(i, frames[i]);
            }
            f.ring.submit(n);
            int got = f.kernel.consume(scratch, null, 32);
            for (int i = 0; i < got; i++) {
                lens[i] = 64 + i;
            }
            r.kernel.produce(scratch, lens, got);
            int k = r.ring.peek(32);
            for (int i = 0; i < k; i++) {
                sum += r.ring.addr(i) + r.ring.len(i);
            }
            r.ring.release(k);
        }
        return sum;
    }

    /**
     * A user-space producer and consumer on two threads over one ring (a FillRing producing, a
     * CompletionRing consuming the same memory): every value arrives once and in order, across
     * the 2^32 wrap. Exercises the release/acquire pairing under real concurrency (on x86 this
     * mostly checks the compiler does not reorder; jcstress would be the full test).
     */
    @Test
    void producerAndConsumerOnTwoThreads() throws Exception {
        XdpRingLayout l = XdpRingLayout.standard(XdpDescLayout.UMEM_ADDR_SIZE, 256);
        MemorySegment s = KernelPeer.ring(arena, l, 0xFFFF_0000);
        FillRing producer = new FillRing(s, l);
        CompletionRing consumer = new CompletionRing(s, l);
        long total = 3_000_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                long v = 1;
                while (v <= total) {
                    int n = producer.reserve((int) Math.min(37, total - v + 1));
                    for (int i = 0; i < n; i++) {
                        producer.set(i, v++ * 0x9E37_79B9_7F4A_7C15L);
                    }
                    producer.submit(n);
                    if (n == 0) {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        long expect = 1;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (expect <= total && failure.get() == null) {
            int n = consumer.peek(53);
            for (int i = 0; i < n; i++) {
                long v = consumer.addr(i);
                if (v != expect * 0x9E37_79B9_7F4A_7C15L) {
                    throw new AssertionError("entry " + expect + " read as " + v);
                }
                expect++;
            }
            consumer.release(n);
            if (n == 0) {
                Thread.onSpinWait();
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("stalled at " + expect);
                }
            }
        }
        t.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(total + 1, expect);
    }
}
