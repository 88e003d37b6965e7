package io.splitplane.dataplane.graph;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.port.MemoryPort;
import io.splitplane.dataplane.port.MemoryPortPair;
import io.splitplane.dataplane.port.PortCounters;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Node counters, drop reasons by name, port counters, and the snapshot API. */
class GraphCountersTest {

    /** Drops runts and packets starting with 0xff, each with its own reason; forwards the rest. */
    static final class Classify extends Node {
        static final int NEXT_TX = 1;
        static final int ERR_RUNT = 0;
        static final int ERR_BAD_FIRST_BYTE = 1;
        private MemorySegment packets;

        Classify(String tx) {
            super("classify", List.of(DROP_NODE, tx), List.of(
                    NodeError.of("runt", "packet shorter than 60 bytes"),
                    NodeError.of("bad-first-byte", "first byte is 0xff")));
        }

        @Override
        protected void onBuild(Graph graph) {
            packets = graph.memory().segment();
        }

        @Override
        protected int process(PacketVector v, int[] nexts) {
            final MemorySegment m = packets;
            for (int i = 0, n = v.count(); i < n; i++) {
                if (v.len[i] < 60) {
                    nexts[i] = drop(ERR_RUNT);
                } else if (m.get(JAVA_BYTE, v.addr[i]) == (byte) 0xff) {
                    nexts[i] = drop(ERR_BAD_FIRST_BYTE);
                } else {
                    nexts[i] = NEXT_TX;
                }
            }
            return PER_PACKET;
        }
    }

    private static byte[] packet(int length, int first) {
        byte[] p = new byte[length];
        p[0] = (byte) first;
        for (int i = 1; i < length; i++) {
            p[i] = (byte) (i * 7 + length);
        }
        return p;
    }

    private static Graph forwarder(MemoryPortPair wire, boolean timing) {
        return Graph.builder("w0").timing(timing).node(new PortRxNode(wire.a(), "classify"))
                .node(new Classify("port-tx-a")).node(new PortTxNode(wire.a())).build();
    }

    @Test
    void countsCallsVectorsPacketsTimeAndDropReasonsByName() throws Exception {
        try (MemoryPortPair wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"))) {
            Graph g = forwarder(wire, true);
            MemoryPort b = wire.b();
            List<byte[]> good = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                good.add(packet(60 + i, i));
                assertEquals(1, b.send(good.getLast()));
                if (i < 3) {
                    assertEquals(1, b.send(packet(59 - i, 1)));
                }
                if (i < 2) {
                    assertEquals(1, b.send(packet(100, 0xff)));
                }
            }

            assertTrue(g.run() >= 15);
            assertEquals(0, g.run());

            // The forwarded packets come back to b, in order, intact.
            PacketVector back = new PacketVector();
            assertEquals(10, b.rx(back, 256, 0));
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(good.get(i), b.read(back.addr[i], back.len[i]));
            }
            b.free(back.addr, 0, back.count());

            // Read from another thread, as `show runtime` will.
            GraphStats st = CompletableFuture.supplyAsync(g::stats).get();
            GraphStats.NodeStats rx = st.node("port-rx-a");
            assertEquals(2, rx.calls(), "polled every run, also when empty");
            assertEquals(1, rx.vectors());
            assertEquals(15, rx.packets());
            GraphStats.NodeStats classify = st.node("classify");
            assertEquals(1, classify.calls());
            assertEquals(1, classify.vectors());
            assertEquals(15, classify.packets());
            assertTrue(classify.nanos() > 0, "timed");
            assertTrue(classify.nanosPerPacket() > 0);
            assertEquals(15.0, classify.packetsPerVector());
            assertEquals(10, st.node("port-tx-a").packets());
            assertEquals(5, st.node("drop").packets());

            assertEquals(3, g.errorCount("classify", "runt"));
            assertEquals(2, g.errorCount("classify", "bad-first-byte"));
            assertEquals(0, g.errorCount("port-tx-a", "tx-full"));
            assertEquals(0, g.errorCount("drop", "no-owner"));
            assertTrue(st.errors().contains(new GraphStats.ErrorStats("classify", "runt",
                    "packet shorter than 60 bytes", 3)));
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> g.errorCount("classify", "ttl"));
            assertTrue(unknown.getMessage().contains("errors are [runt, bad-first-byte]"), unknown.getMessage());

            GraphStats.PortStats a = st.port("a");
            assertEquals(15, a.get("rx-packets"));
            assertEquals(10, a.get("tx-packets"));
            assertEquals(5, a.get("drops"), "the drop node counts drops on the receiving port");
            assertEquals(0, a.get("tx-dropped"));
            assertEquals(good.stream().mapToInt(p -> p.length).sum(), a.get("tx-bytes"));
            assertEquals(15, b.counters().get(PortCounters.TX_PACKETS));
            assertEquals(10, b.counters().get("rx-packets"));

            String text = st.format();
            assertTrue(text.contains("classify") && text.contains("classify/runt") && text.contains("port a:"), text);

            // Every frame is back in a pool: the drop node freed 5 into a's, b freed the 10 it got.
            assertEquals(wire.memory().frameCount(), wire.framesAccounted());
            assertEquals(2048 + 5, wire.a().pool().available());
        }
    }

    @Test
    void timingCanBeTurnedOff() {
        try (MemoryPortPair wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"))) {
            Graph g = forwarder(wire, false);
            wire.b().send(packet(64, 1));
            g.run();
            assertEquals(0, g.stats().node("classify").nanos());
            assertEquals(1, g.stats().node("classify").packets());
        }
    }
}
