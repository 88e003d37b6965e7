package io.splitplane.dataplane.port;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.graph.PacketVector;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The in-memory wire: order, lengths, content, counters, back-pressure, two threads. */
class MemoryPortPairTest {

    private static byte[] packet(int seq) {
        byte[] p = new byte[60 + seq % 1400];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }

    @Test
    void deliversInOrderWithLengthsAndContentAndCounts() {
        try (MemoryPortPair wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"))) {
            MemoryPort a = wire.a();
            MemoryPort b = wire.b();
            long bytes = 0;
            for (int seq = 0; seq < 300; seq++) {
                assertEquals(1, a.send(packet(seq)));
                bytes += packet(seq).length;
            }
            assertEquals(300, b.rxPending());
            PacketVector v = new PacketVector();
            v.add(42, 1, 9); // rx appends after what is there
            assertEquals(255, b.rx(v, 1000, 3), "limited by the vector's room");
            assertEquals(256, v.count());
            for (int i = 1; i < 256; i++) {
                int seq = i - 1;
                assertEquals(packet(seq).length, v.len[i]);
                assertArrayEquals(packet(seq), b.read(v.addr[i], v.len[i]));
                assertEquals(3, v.port[i]);
                assertEquals(0, v.meta0[i]);
                assertEquals(wire.memory().dataOffset(), v.addr[i] - wire.memory().chunkBase(v.addr[i]));
            }
            b.free(v.addr, 1, 255);
            v.clear();
            assertEquals(45, b.rx(v, 256, 0));
            assertArrayEquals(packet(299), b.read(v.addr[44], v.len[44]));
            b.free(v.addr, 0, 45);

            assertEquals(300, a.counters().get(PortCounters.TX_PACKETS));
            assertEquals(bytes, a.counters().get(PortCounters.TX_BYTES));
            assertEquals(300, b.counters().get(PortCounters.RX_PACKETS));
            assertEquals(bytes, b.counters().get(PortCounters.RX_BYTES));
            assertEquals(0, a.counters().get(PortCounters.TX_DROPPED));
            assertEquals(wire.memory().frameCount(), wire.framesAccounted());
            assertEquals(2048 - 300, a.pool().available(), "frames migrated from a's pool to b's");
            assertEquals(2048 + 300, b.pool().available());
        }
    }

    @Test
    void aFullRingIsACountedDropNeverASilentLoss() {
        MemoryPortPair.Config config = MemoryPortPair.Config.named("a", "b").withRingSize(32).withFrames(256, 256);
        try (MemoryPortPair wire = MemoryPortPair.create(config)) {
            MemoryPort a = wire.a();
            long[] addrs = new long[100];
            int[] lens = new int[100];
            for (int i = 0; i < 100; i++) {
                addrs[i] = a.allocate() + 256 + i % 7; // any address inside the frame
                lens[i] = 64;
            }
            assertEquals(256 - 100, a.pool().available());
            assertEquals(32, a.tx(addrs, lens, 0, 100));
            assertEquals(32, a.counters().get(PortCounters.TX_PACKETS));
            assertEquals(68, a.counters().get(PortCounters.TX_DROPPED));
            assertEquals(256 - 32, a.pool().available(), "what did not fit went back to the pool");
            assertEquals(32, wire.b().rxPending());
            assertEquals(256, wire.framesAccounted());
            assertEquals(0, a.tx(addrs, lens, 0, 0));
        }
    }

    @Test
    void freeingAFrameTwiceIsCaughtWhenThePoolOverflows() {
        MemoryPortPair.Config config = MemoryPortPair.Config.named("a", "b").withFrames(8, 8);
        try (MemoryPortPair wire = MemoryPortPair.create(config)) {
            MemoryPort a = wire.a();
            long f = a.allocate();
            a.free(f + 300);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.free(f));
            assertTrue(e.getMessage().contains("freed twice"), e.getMessage());
        }
    }

    @Test
    void twoThreadsStreamAMillionPacketsInOrder() throws Exception {
        final int packets = 1_000_000;
        try (MemoryPortPair wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b").withRingSize(256))) {
            MemorySegment m = wire.memory().segment();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            // b echoes everything back on its own thread.
            Thread echo = Thread.ofPlatform().name("echo").start(() -> {
                PacketVector v = new PacketVector();
                long echoed = 0;
                try {
                    while (echoed < packets && failure.get() == null) {
                        v.clear();
                        int n = wire.b().rx(v, 256, 0);
                        int sent = wire.b().tx(v.addr, v.len, 0, n);
                        if (sent != n) {
                            throw new AssertionError("echo ring full: a drains it in the same loop as it sends");
                        }
                        echoed += n;
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            MemoryPort a = wire.a();
            PacketVector out = new PacketVector();
            PacketVector in = new PacketVector();
            long sent = 0;
            long received = 0;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (received < packets && failure.get() == null) {
                out.clear();
                while (sent < packets && out.count() < 32 && sent - received < 200) {
                    long f = a.allocate();
                    m.set(JAVA_LONG_UNALIGNED, f + 256, sent);
                    out.add(f + 256, 60 + (int) (sent % 100), 0);
                    sent++;
                }
                assertEquals(out.count(), a.tx(out.addr, out.len, 0, out.count()));
                in.clear();
                a.rx(in, 256, 0);
                for (int i = 0; i < in.count(); i++) {
                    assertEquals(received, m.get(JAVA_LONG_UNALIGNED, in.addr[i]));
                    assertEquals(60 + (int) (received % 100), in.len[i]);
                    a.free(in.addr[i]);
                    received++;
                }
                assertTrue(System.nanoTime() < deadline, "stuck at " + received);
            }
            echo.join(10_000);
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(packets, received);
            assertEquals(wire.memory().frameCount(), wire.framesAccounted());
        }
    }
}
