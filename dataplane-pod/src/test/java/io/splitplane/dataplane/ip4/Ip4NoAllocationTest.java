package io.splitplane.dataplane.ip4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.port.MemoryPort;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The whole ip4 path allocates nothing: after warm-up, 1.2 million packets (next hops, ECMP groups,
 * connected next hops through the neighbour table, no-route and no-neighbour drops) go through
 * port-rx, eth-input, ip4-input, ip4-lookup, ip4-rewrite and port-tx of three ports while the
 * thread's allocated bytes stay within 2 KiB. The test side recycles frames in place (it restores
 * each frame's TTL/checksum word and sends it again), so it allocates nothing either.
 */
class Ip4NoAllocationTest {
    private static final long TOLERANCE_BYTES = 2048;
    private static final int FRAMES = 2048;

    @Test
    void aMillionPacketsThroughTheIp4PathAllocateNothing() {
        try (ForwardingHarness h = new ForwardingHarness(3)) {
            int gw1 = Ip4.parse("192.168.1.2");
            int gw2 = Ip4.parse("192.168.2.2");
            h.tables.setNeighbour(1, gw1, 0x02_00_00_00_00_21L);
            h.tables.setNeighbour(2, gw2, 0x02_00_00_00_00_22L);
            h.tables.setRoute(Ip4.parse("10.0.0.0"), 8, Ip4Tables.Path.via(1, gw1));
            h.tables.setRoute(Ip4.parse("10.128.0.0"), 9, Ip4Tables.Path.via(1, gw1), Ip4Tables.Path.via(2, gw2));
            h.tables.setRoute(Ip4.parse("10.7.7.0"), 24, Ip4Tables.Path.connected(2));
            h.tables.setRoute(Ip4.parse("10.9.0.0"), 16, Ip4Tables.Path.via(2, Ip4.parse("192.168.2.77")));
            h.tables.setTarget(Ip4.parse("10.5.0.0"), 16, FibResult.blackhole());
            for (int host = 0; host < 128; host++) {
                h.tables.setNeighbour(2, Ip4.parse("10.7.7.0") | host, 0x02_00_00_00_07_00L | host);
            }
            // FRAMES frames with packets; the original ttl|protocol|check word per frame index.
            MemoryPort x0 = h.outside(0);
            MemorySegment m = h.pairs.getFirst().memory().segment();
            int[] word = new int[h.pairs.getFirst().memory().frameCount()];
            PacketVector batch = new PacketVector();
            SplittableRandom rnd = new SplittableRandom(3);
            PacketVector initial = new PacketVector();
            for (int i = 0; i < FRAMES; i++) {
                int dst = switch (i % 16) {
                    case 0 -> Ip4.parse("11.0.0.1");                     // no route
                    case 1 -> Ip4.parse("10.9.0.1");                     // no neighbour
                    case 2 -> Ip4.parse("10.5.0.1");                     // blackhole
                    case 3, 4 -> Ip4.parse("10.7.7.0") | rnd.nextInt(128); // connected
                    case 5, 6, 7, 8 -> Ip4.parse("10.128.0.0") | rnd.nextInt(1 << 23); // ECMP
                    default -> Ip4.parse("10.0.0.0") | rnd.nextInt(1 << 23);
                };
                byte[] p = TestPackets.udp(ForwardingHarness.PORT_MACS[0], 1, rnd.nextInt(), dst, rnd.nextInt(65536),
                        53, 64, i, 0, 18);
                long base = x0.allocate();
                long addr = base + h.pairs.getFirst().memory().dataOffset();
                MemorySegment.copy(p, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, addr, p.length);
                word[h.pairs.getFirst().memory().frameIndex(addr)] = m.get(Ip4HeaderLayout.FIELD_U32, addr + 14 + 8);
                initial.add(addr, p.length, 0);
                if (initial.count() == PacketVector.CAPACITY) {
                    x0.tx(initial.addr, initial.len, 0, initial.count());
                    initial.clear();
                }
            }
            long warm = pump(h, batch, word, 300_000);
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            long measured = pump(h, batch, word, 1_200_000);
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            GraphStats st = h.graph.stats();
            System.out.printf("ip4 no-allocation: %d packets, %d bytes allocated%n%s", measured, allocated, st.format());
            assertTrue(measured >= 1_000_000);
            assertTrue(allocated <= TOLERANCE_BYTES, allocated + " bytes allocated over " + measured + " packets");
            assertEquals(0, st.vectorAllocations());
            assertTrue(h.graph.errorCount("punt", "no-route") > 0);
            assertTrue(h.graph.errorCount("punt", "no-neighbour") > 0);
            assertTrue(h.graph.errorCount("ip4-lookup", "blackhole") > 0);
            assertTrue(st.port("p2").get("tx-packets") > 0 && st.port("p1").get("tx-packets") > 0);
            assertTrue(warm > 0);
        }
    }

    /**
     * Runs the graph and moves what comes out back in: collected frames get their original word back
     * and are sent again; dropped frames (back in p0's pool) are refilled from there. Allocation-free.
     */
    private static long pump(ForwardingHarness h, PacketVector batch, int[] word, long packets) {
        MemoryPort x0 = h.outside(0);
        MemoryPort p0 = h.pairs.getFirst().a();
        MemorySegment m = h.pairs.getFirst().memory().segment();
        var memory = h.pairs.getFirst().memory();
        long done = 0;
        while (done < packets) {
            h.run();
            for (int out = 1; out <= 2; out++) {
                MemoryPort x = h.outside(out);
                batch.clear();
                int n = x.rx(batch, PacketVector.CAPACITY, 0);
                for (int i = 0; i < n; i++) {
                    long ip = batch.addr[i] + 14;
                    m.set(Ip4HeaderLayout.FIELD_U32, ip + 8, word[memory.frameIndex(ip)]);
                }
                x0.tx(batch.addr, batch.len, 0, n);
                done += n;
            }
            // Dropped frames went back to p0's pool with their content intact: resend them as they were.
            while (p0.pool().available() > 0) {
                long base = p0.allocate();
                long addr = base + memory.dataOffset();
                batch.clear();
                batch.add(addr, 14 + 20 + 8 + 18, 0);
                x0.tx(batch.addr, batch.len, 0, 1);
                done++;
            }
        }
        return done;
    }
}
