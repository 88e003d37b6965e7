package io.splitplane.dataplane.punt;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.graph.PortRxNode;
import io.splitplane.dataplane.port.MemoryPort;
import io.splitplane.dataplane.port.MemoryPortPair;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The punt node's token bucket, on a clock the test moves. */
class PuntRateTest {
    /** Marks every packet as a TTL-expired punt at its L3 offset, as the ip4 nodes hand them over. */
    private static final class MarkPunt extends Node {
        MarkPunt() {
            super("mark", List.of(DROP_NODE, PuntNode.NAME));
        }

        @Override
        protected int process(PacketVector v, int[] nexts) {
            for (int i = 0; i < v.count(); i++) {
                v.addr[i] += PuntNode.L2;
                v.len[i] -= PuntNode.L2;
                v.meta1[i] = PuntReason.TTL_EXPIRED;
            }
            return 1;
        }
    }

    @Test
    void puntsBeyondTheRateAreDroppedAndCountedAndTheBucketRefillsWithTime() {
        AtomicLong nowNs = new AtomicLong(1_000_000_000L);
        AtomicLong injected = new AtomicLong();
        KernelInjector kernel = (address, length) -> {
            injected.incrementAndGet();
            return length;
        };
        // 1,000 punts/s: the burst is one vector (256, more than a tenth of a second's worth).
        PuntNode punt = new PuntNode(Map.of("p0", kernel), 1_000, nowNs::get);
        try (MemoryPortPair pair = MemoryPortPair.create(MemoryPortPair.Config.named("p0", "x0").withFrames(2048, 0))) {
            Graph g = Graph.builder("punt-rate").node(new PortRxNode(pair.a(), "mark")).node(new MarkPunt()).node(punt)
                    .build();
            send(pair, 400);
            g.run();
            g.run();
            assertEquals(256, injected.get(), "the burst");
            assertEquals(144, g.errorCount("punt", "rate-limited"));
            assertEquals(400, g.errorCount("punt", "ttl-expired"), "every punt counted by its reason");

            nowNs.addAndGet(100_000_000L); // 100 ms: 100 tokens
            send(pair, 150);
            g.run();
            assertEquals(356, injected.get());
            assertEquals(194, g.errorCount("punt", "rate-limited"));

            nowNs.addAndGet(10_000_000_000L); // 10 s: refilled, but only up to the burst
            send(pair, 300);
            g.run();
            g.run();
            assertEquals(356 + 256, injected.get());
            assertEquals(194 + 44, g.errorCount("punt", "rate-limited"));
            assertEquals(2048, pair.a().pool().available() + pair.b().pool().available(), "every frame freed");
        }
        assertThrows(IllegalArgumentException.class, () -> new PuntNode(Map.of(), 0, System::nanoTime));
    }

    private static void send(MemoryPortPair pair, int n) {
        MemoryPort x = pair.b();
        MemorySegment m = pair.memory().segment();
        for (int i = 0; i < n; i++) {
            long base = x.allocate();
            long addr = base + pair.memory().dataOffset();
            MemorySegment.copy(new byte[64], 0, m, JAVA_BYTE, addr, 64);
            x.tx(new long[] {addr}, new int[] {64}, 0, 1);
        }
    }
}
