package io.splitplane.dataplane.ip4;

import static io.splitplane.dataplane.ip4.TestPackets.ETH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.channel.Channels;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.punt.KernelInjector;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the punt node hands the kernel, over in-memory ports with a recording injector in place of
 * the TAP: the frame exactly as it arrived (MACs, TTL and checksum untouched, whatever node punted
 * it), on the injector of the port it arrived on, counted by reason; the frame back in its pool; and
 * no allocation on the worker while punting.
 */
class Ip4PuntFramesTest {
    private static final int GW = Ip4.parse("192.168.1.2");

    /** Copies every frame it is given (tests only: it allocates). */
    private static final class Recorder implements KernelInjector {
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public long inject(long address, int length) {
            frames.add(MemorySegment.ofAddress(address).reinterpret(length).toArray(ValueLayout.JAVA_BYTE));
            return length;
        }
    }

    private static byte[] udp(int dst, int ttl) {
        return TestPackets.udp(ForwardingHarness.PORT_MACS[0], 0x02_00_00_00_00_01L, Ip4.parse("10.9.9.9"), dst, 1, 2,
                ttl, 7, 0, 30);
    }

    @Test
    void theKernelGetsTheFrameAsItArrivedOnItsOwnPort() {
        Recorder p0 = new Recorder();
        Recorder p1 = new Recorder();
        try (ForwardingHarness h = new ForwardingHarness(2, new Ip4Tables(2), new Channels(1),
                Map.of("p0", p0, "p1", p1))) {
            h.tables.setRoute(Ip4.parse("10.1.0.0"), 16, Ip4Tables.Path.via(1, GW));
            h.tables.setNeighbour(1, GW, 0x02_00_00_00_00_22L);
            h.tables.setRoute(Ip4.parse("10.2.0.0"), 16, Ip4Tables.Path.via(1, Ip4.parse("192.168.1.99")));
            byte[] ttl1 = udp(Ip4.parse("10.1.0.1"), 1);             // punted by ip4-rewrite
            byte[] unresolved = udp(Ip4.parse("10.2.0.1"), 9);       // punted by ip4-rewrite
            byte[] noRoute = udp(Ip4.parse("11.0.0.1"), 9);          // punted by ip4-lookup
            byte[] options = udp(Ip4.parse("10.1.0.1"), 9);
            options[ETH] = 0x46;                                     // punted by ip4-input
            byte[] arp = udp(Ip4.parse("10.1.0.1"), 9);
            arp[12] = 0x08;
            arp[13] = 0x06;                                          // punted by eth-input
            byte[] forwarded = udp(Ip4.parse("10.1.0.7"), 9);
            List<byte[]> punted = List.of(ttl1, unresolved, noRoute, options, arp);
            for (byte[] f : punted) {
                assertTrue(h.inject(0, f));
            }
            assertTrue(h.inject(0, forwarded));
            assertTrue(h.inject(1, ttl1));
            h.run();

            // Punts of different nodes reach the punt node in different vectors: compare as sets.
            assertEquals(punted.size(), p0.frames.size());
            assertEquals(punted.stream().map(Arrays::toString).sorted().toList(),
                    p0.frames.stream().map(Arrays::toString).sorted().toList(), "every punted frame unchanged");
            assertEquals(1, p1.frames.size(), "the kernel path of the port it arrived on");
            assertArrayEquals(ttl1, p1.frames.getFirst());
            assertEquals(2, h.graph.errorCount("punt", "ttl-expired"));
            assertEquals(1, h.graph.errorCount("punt", "no-neighbour"));
            assertEquals(1, h.graph.errorCount("punt", "no-route"));
            assertEquals(1, h.graph.errorCount("punt", "options"));
            assertEquals(1, h.graph.errorCount("punt", "not-ip4"));
            assertEquals(1, h.collect(1).size(), "the forwarded one left");
            assertEquals(h.pairs.getFirst().memory().frameCount(), h.framesInPools(), "every punted frame freed");
        }
    }

    @Test
    void puntingAllocatesNothing() {
        KernelInjector discard = (address, length) -> length;
        try (ForwardingHarness h = new ForwardingHarness(1, new Ip4Tables(2), new Channels(1), Map.of("p0", discard))) {
            byte[] noRoute = udp(Ip4.parse("11.0.0.1"), 9);
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long allocated = 0;
            int punts = 0;
            for (int round = 0; round < 400; round++) {
                for (int i = 0; i < 256; i++) {
                    h.inject(0, noRoute);
                }
                long before = mx.getCurrentThreadAllocatedBytes();
                h.run();
                long after = mx.getCurrentThreadAllocatedBytes();
                h.reclaim();
                if (round >= 100) {   // after warm-up
                    allocated += after - before;
                    punts += 256;
                }
            }
            assertEquals(400 * 256, h.graph.errorCount("punt", "no-route"));
            assertTrue(allocated <= 2048, allocated + " bytes allocated over " + punts + " punts");
            assertEquals(h.pairs.getFirst().memory().frameCount(), h.framesInPools());
        }
    }
}
