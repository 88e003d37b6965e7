package io.splitplane.dataplane.graph;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.port.MemoryPort;
import io.splitplane.dataplane.port.MemoryPortPair;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The steady state allocates nothing: over a million packets through a multi-node graph over a
 * memory port pair (home runs, a per-packet split, merges, drops with reasons, port tx), the
 * thread's allocated-bytes counter stays flat. The same thread drives the graph and the far side.
 */
class NoAllocationTest {
    private static final int MEASURED_PACKETS = 1_200_000;
    private static final int WARMUP_PACKETS = 600_000;
    /** ThreadMXBean's own bookkeeping may allocate a little; the loop itself must not. */
    private static final long TOLERANCE_BYTES = 2048;

    /** Edge node: touches the first byte of every packet, sends all to edge 1 (a home run). */
    static final class Touch extends Node {
        private MemorySegment m;

        Touch(String name, String next) {
            super(name, List.of(DROP_NODE, next));
        }

        @Override
        protected void onBuild(Graph graph) {
            m = graph.memory().segment();
        }

        @Override
        protected int process(PacketVector v, int[] nexts) {
            for (int i = 0, n = v.count(); i < n; i++) {
                v.meta1[i] = m.get(JAVA_BYTE, v.addr[i]) + v.len[i];
            }
            return 1;
        }
    }

    /** Splits by address bit, drops every 64th packet it sees with a reason. */
    static final class Split extends Node {
        private long seen;

        Split() {
            super("split", List.of(DROP_NODE, "left", "right"), List.of(NodeError.of("unlucky", "one in 64")));
        }

        @Override
        protected int process(PacketVector v, int[] nexts) {
            for (int i = 0, n = v.count(); i < n; i++) {
                nexts[i] = (++seen & 63) == 0 ? drop(0) : (v.addr[i] & 2048) == 0 ? 1 : 2;
            }
            return PER_PACKET;
        }
    }

    @Test
    void aMillionPacketsAllocateNothing() {
        try (MemoryPortPair wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"))) {
            MemoryPort a = wire.a();
            MemoryPort b = wire.b();
            Graph g = Graph.builder("noalloc")
                    .node(new PortRxNode(a, "touch"))
                    .node(new Touch("touch", "split"))
                    .node(new Split())
                    .node(new Touch("left", "merge"))
                    .node(new Touch("right", "merge"))
                    .node(new Touch("merge", "port-tx-a"))
                    .node(new PortTxNode(a))
                    .build();
            PacketVector batch = new PacketVector();

            long done = pump(g, a, b, batch, WARMUP_PACKETS);
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            long measured = pump(g, a, b, batch, MEASURED_PACKETS);
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;

            System.out.printf("no-allocation: %d packets, %d bytes allocated%n%s", measured, allocated,
                    g.stats().format());
            assertTrue(measured >= 1_000_000);
            assertTrue(allocated <= TOLERANCE_BYTES, allocated + " bytes allocated over " + measured + " packets");
            GraphStats st = g.stats();
            assertEquals(0, st.vectorAllocations());
            assertEquals(0, st.pendingGrows());
            assertTrue(st.homeRuns() > 0 && st.copiedPackets() > 0, "both move paths ran");
            assertTrue(g.errorCount("split", "unlucky") > measured / 70, "the drop path ran in the steady state");
            assertEquals(done + measured, st.node("port-rx-a").packets());
            for (int i = 0; i < batch.count(); i++) {
                b.free(batch.addr[i]);
            }
            assertEquals(wire.memory().frameCount(), wire.framesAccounted(), "no frame lost");
        }
    }

    /**
     * Sends {@code batch} (topped up to 256 with fresh frames) from b, runs the graph, receives on b
     * into {@code batch}, until {@code packets} went through. Allocation-free.
     */
    private static long pump(Graph g, MemoryPort a, MemoryPort b, PacketVector batch, long packets) {
        long sent = 0;
        while (sent < packets) {
            int n = batch.count();
            while (n < PacketVector.CAPACITY) {
                long f = b.allocate();
                if (f < 0) {
                    f = a.allocate(); // dropped frames land in a's pool; same thread here, so take them back
                }
                batch.addr[n] = f + 256;
                batch.len[n] = 64 + (n & 63);
                n++;
            }
            batch.count(n);
            sent += b.tx(batch.addr, batch.len, 0, n);
            batch.clear();
            g.run();
            b.rx(batch, PacketVector.CAPACITY, 0);
        }
        return sent;
    }
}
