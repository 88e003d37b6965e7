package io.splitplane.dataplane.ip4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.fib.Ip4;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Longest-prefix match through the whole graph: 50,000 random prefixes (/2 to /32, every length, none in 192.0.0.0/2),
 * each via one of 24 gateways on 3 ports, and 60,000 packets to random addresses (two thirds inside a
 * random prefix, a third anywhere): the port each packet leaves on and its destination MAC are those
 * of the longest matching prefix found by brute force (a hash map per length, longest first), and
 * what no prefix covers is dropped as {@code ip4-lookup/no-route}.
 */
class Ip4GraphLpmTest {
    private static final int PREFIXES = 50_000;
    private static final int PACKETS = 60_000;
    private static final int GATEWAYS = 24;

    private static long gwMac(int gw) {
        return 0x02_00_00_00_77_00L | gw;
    }

    @Test
    void egressPortAndNextHopMatchABruteForceLongestPrefixMatch() {
        try (ForwardingHarness h = new ForwardingHarness(4)) {
            int[] gwPort = new int[GATEWAYS];
            int[] gwAddr = new int[GATEWAYS];
            for (int g = 0; g < GATEWAYS; g++) {
                gwPort[g] = 1 + g % 3;
                gwAddr[g] = Ip4.parse("172.16.0.0") | g << 8 | 1;
                h.tables.setNeighbour(gwPort[g], gwAddr[g], gwMac(g));
            }
            SplittableRandom rnd = new SplittableRandom(2024);
            List<Map<Integer, Integer>> byLength = new ArrayList<>();
            for (int l = 0; l <= 32; l++) {
                byLength.add(new HashMap<>());
            }
            int[] prefixes = new int[PREFIXES];
            int[] lengths = new int[PREFIXES];
            int n = 0;
            while (n < PREFIXES) {
                int length = rnd.nextInt(10) < 6 ? 16 + rnd.nextInt(17) : 2 + rnd.nextInt(31);
                int prefix = rnd.nextInt() & Ip4.mask(length);
                if (prefix >>> 30 == 3 || byLength.get(length).containsKey(prefix)) { // 192/2 stays unrouted
                    continue;
                }
                int gw = rnd.nextInt(GATEWAYS);
                byLength.get(length).put(prefix, gw);
                h.tables.setRoute(prefix, length, Ip4Tables.Path.via(gwPort[gw], gwAddr[gw]));
                prefixes[n] = prefix;
                lengths[n] = length;
                n++;
            }
            int[] expectedTx = new int[4];
            int expectedNoRoute = 0;
            List<List<Long>> expectedMacs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>());
            for (int sent = 0; sent < PACKETS; ) {
                int batch = Math.min(256, PACKETS - sent);
                for (int k = 0; k < batch; k++) {
                    int dst;
                    if (rnd.nextInt(3) < 2) {
                        int r = rnd.nextInt(PREFIXES);
                        dst = prefixes[r] | (rnd.nextInt() & ~Ip4.mask(lengths[r]));
                    } else {
                        dst = rnd.nextInt();
                    }
                    int gw = -1;
                    for (int l = 32; l >= 0 && gw < 0; l--) {
                        Integer hit = byLength.get(l).get(dst & Ip4.mask(l));
                        if (hit != null) {
                            gw = hit;
                        }
                    }
                    if (gw < 0) {
                        expectedNoRoute++;
                    } else {
                        expectedTx[gwPort[gw]]++;
                        expectedMacs.get(gwPort[gw]).add(gwMac(gw));
                    }
                    assertTrue(h.inject(0, TestPackets.udp(ForwardingHarness.PORT_MACS[0], 0x02_00_00_00_00_01L,
                            rnd.nextInt(), dst, 1000, 2000, 64, k, 0, 18)));
                }
                sent += batch;
                h.run();
                for (int p = 1; p < 4; p++) {
                    List<byte[]> got = h.collect(p);
                    List<Long> want = expectedMacs.get(p);
                    assertEquals(want.size(), got.size(), "packets out of port " + p);
                    for (int k = 0; k < got.size(); k++) {
                        assertEquals(want.get(k), TestPackets.mac(got.get(k), 0), "destination MAC, port " + p);
                        assertEquals(ForwardingHarness.PORT_MACS[p], TestPackets.mac(got.get(k), 6));
                    }
                    want.clear();
                }
            }
            var st = h.graph.stats();
            System.out.printf("graph LPM: %d prefixes, %d packets, no-route %d%n%s", PREFIXES, PACKETS,
                    expectedNoRoute, st.format());
            assertEquals(expectedNoRoute, h.graph.errorCount("punt", "no-route"));
            assertTrue(expectedNoRoute > 1000 && expectedNoRoute < PACKETS / 3, "both outcomes exercised");
            for (int p = 1; p < 4; p++) {
                assertEquals(expectedTx[p], st.port("p" + p).get("tx-packets"), "port " + p);
            }
            assertEquals(0, st.port("p0").get("tx-packets"));
        }
    }
}
