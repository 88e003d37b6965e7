package io.splitplane.dataplane.ip4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.fib.Ip4;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ECMP through the graph: a route with four paths over two ports spreads 4,000 flows over all four
 * (each within 18-32% of the flows), and every packet of a flow (8 per flow, interleaved with the
 * others, different TTL, id and payload) leaves on the same port to the same gateway.
 */
class Ip4EcmpTest {
    @Test
    void flowsSpreadOverEveryPathAndEachFlowStaysOnOne() {
        try (ForwardingHarness h = new ForwardingHarness(3)) {
            int[] gw = {Ip4.parse("10.0.1.1"), Ip4.parse("10.0.1.2"), Ip4.parse("10.0.2.1"), Ip4.parse("10.0.2.2")};
            int[] port = {1, 1, 2, 2};
            for (int i = 0; i < 4; i++) {
                h.tables.setNeighbour(port[i], gw[i], 0x02_00_00_00_EC_00L | i);
            }
            h.tables.setRoute(Ip4.parse("198.51.0.0"), 16, List.of(Ip4Tables.Path.via(1, gw[0]),
                    Ip4Tables.Path.via(1, gw[1]), Ip4Tables.Path.via(2, gw[2]), Ip4Tables.Path.via(2, gw[3])));
            int flows = 4000;
            SplittableRandom rnd = new SplittableRandom(77);
            int[] src = new int[flows];
            int[] dst = new int[flows];
            int[] sport = new int[flows];
            int[] dport = new int[flows];
            for (int f = 0; f < flows; f++) {
                src[f] = rnd.nextInt();
                dst[f] = Ip4.parse("198.51.0.0") | rnd.nextInt(65536);
                sport[f] = rnd.nextInt(65536);
                dport[f] = rnd.nextInt(65536);
            }
            Map<Integer, Long> pathOfFlow = new HashMap<>();
            int[] flowsPerPath = new int[4];
            for (int round = 0; round < 8; round++) {
                for (int base = 0; base < flows; base += 250) {
                    for (int f = base; f < base + 250; f++) {
                        // The flow id rides in the payload's first bytes (after the UDP header).
                        byte[] p = TestPackets.udp(ForwardingHarness.PORT_MACS[0], 1, src[f], dst[f], sport[f],
                                dport[f], 10 + round, rnd.nextInt(65536), 0, 4 + round);
                        p[14 + 28] = (byte) (f >>> 8);
                        p[14 + 29] = (byte) f;
                        assertTrue(h.inject(0, p));
                    }
                    h.run();
                    for (int out = 1; out <= 2; out++) {
                        for (byte[] got : h.collect(out)) {
                            int f = (got[14 + 28] & 0xFF) << 8 | (got[14 + 29] & 0xFF);
                            long path = (long) out << 48 | TestPackets.mac(got, 0);
                            Long before = pathOfFlow.putIfAbsent(f, path);
                            if (before == null) {
                                flowsPerPath[(int) (TestPackets.mac(got, 0) & 0xFF)]++;
                                int i = (int) (TestPackets.mac(got, 0) & 0xFF);
                                assertEquals(port[i], out, "gateway " + i + " is on port " + port[i]);
                            } else {
                                assertEquals(before, path, "flow " + f + " changed path in round " + round);
                            }
                        }
                    }
                }
            }
            assertEquals(flows, pathOfFlow.size());
            System.out.printf("ECMP flows per path: %s%n", java.util.Arrays.toString(flowsPerPath));
            for (int i = 0; i < 4; i++) {
                assertTrue(flowsPerPath[i] > flows * 18 / 100 && flowsPerPath[i] < flows * 32 / 100,
                        "path " + i + " got " + flowsPerPath[i] + " of " + flows + " flows");
            }
            assertEquals(8L * flows, h.graph.stats().node("ip4-rewrite").packets());
        }
    }
}
