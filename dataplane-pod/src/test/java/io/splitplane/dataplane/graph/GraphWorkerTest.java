package io.splitplane.dataplane.graph;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.port.MemoryPort;
import io.splitplane.dataplane.port.MemoryPortPair;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.BitSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A graph on its own pinned platform thread: forwards, backs off when idle, stops cleanly. */
class GraphWorkerTest {
    private static final int PACKETS = 200_000;

    @Test
    void forwardsOnAPinnedThreadThenBacksOffWhenIdleAndStops() throws Exception {
        try (MemoryPortPair wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"))) {
            MemoryPort b = wire.b();
            Graph g = Graph.builder("w1").node(new PortRxNode(wire.a(), "port-tx-a")).node(new PortTxNode(wire.a()))
                    .build();
            int cpu = Runtime.getRuntime().availableProcessors() - 1;
            GraphWorker worker = GraphWorker.builder(g).cpu(cpu).start();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(worker::isStarted);
                assertEquals("graph-w1", worker.thread().getName());
                BitSet expected = new BitSet();
                expected.set(cpu);
                assertEquals(expected, worker.affinity(), "pinned");

                // Stream numbered packets through the worker and check every one comes back, in order. At most
                // 512 in flight: fewer than either ring holds, so nothing can be dropped for lack of room.
                var seg = wire.memory().segment();
                PacketVector out = new PacketVector();
                PacketVector in = new PacketVector();
                long nextSent = 0;
                long nextReceived = 0;
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (nextReceived < PACKETS) {
                    out.clear();
                    while (nextSent < PACKETS && out.count() < 64 && nextSent - nextReceived < 512) {
                        long f = b.allocate();
                        if (f < 0) {
                            break;
                        }
                        seg.set(JAVA_LONG_UNALIGNED, f + 256, nextSent);
                        out.add(f + 256, 64, 0);
                        nextSent++;
                    }
                    int queued = b.tx(out.addr, out.len, 0, out.count());
                    nextSent -= out.count() - queued; // not queued: freed by tx, resend those numbers
                    in.clear();
                    b.rx(in, 256, 0);
                    for (int i = 0; i < in.count(); i++) {
                        assertEquals(nextReceived++, seg.get(JAVA_LONG_UNALIGNED, in.addr[i]));
                        b.free(in.addr[i]);
                    }
                    assertTrue(System.nanoTime() < deadline, "stuck at " + nextReceived);
                }
                assertEquals(PACKETS, g.stats().node("port-tx-a").packets());
                assertEquals(0, g.stats().port("a").get("tx-dropped"));

                // Idle: the backoff strategy parks, so the thread burns little CPU.
                ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                long tid = worker.thread().threadId();
                Thread.sleep(100);
                long cpu0 = mx.getThreadCpuTime(tid);
                long wall0 = System.nanoTime();
                Thread.sleep(500);
                long usedNs = mx.getThreadCpuTime(tid) - cpu0;
                long wallNs = System.nanoTime() - wall0;
                System.out.printf("idle worker used %.1f%% of a CPU%n", 100.0 * usedNs / wallNs);
                assertTrue(usedNs < wallNs / 4, "idle worker used " + usedNs + " ns of CPU in " + wallNs + " ns");
                long loops = g.stats().loops();
                assertTrue(loops > 0);
            } finally {
                worker.close();
            }
            assertFalse(worker.thread().isAlive(), "close joins the thread");
            assertEquals(0, worker.errors());
            assertNull(worker.firstError());
            assertEquals(wire.memory().frameCount(), wire.framesAccounted());
        }
    }

    @Test
    void aCpuThatCannotBeUsedIsReportedAndTheWorkerDoesNotRun() {
        try (MemoryPortPair wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"))) {
            Graph g = Graph.builder("nocpu").node(new PortRxNode(wire.a(), "port-tx-a")).node(new PortTxNode(wire.a()))
                    .build();
            try (GraphWorker worker = GraphWorker.builder(g).cpu(CpuAffinity.CPU_SETSIZE - 1).start()) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> worker.firstError() != null);
                assertTrue(worker.firstError().getMessage().contains("sched_setaffinity"),
                        worker.firstError().getMessage());
                assertFalse(worker.isStarted());
            }
            assertEquals(0, g.stats().loops());
        }
    }

    @Test
    void busySpinStrategyIsAvailableForBenchmarks() {
        try (MemoryPortPair wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"))) {
            Graph g = Graph.builder("spin").node(new PortRxNode(wire.a(), "port-tx-a")).node(new PortTxNode(wire.a()))
                    .build();
            try (GraphWorker worker = GraphWorker.builder(g).busySpin().start()) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> g.stats().loops() > 10_000);
                assertTrue(worker.affinity().cardinality() >= 1);
            }
        }
    }
}
