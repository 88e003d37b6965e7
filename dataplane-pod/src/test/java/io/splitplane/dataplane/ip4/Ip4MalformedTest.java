package io.splitplane.dataplane.ip4;

import static io.splitplane.dataplane.ip4.TestPackets.ETH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.graph.GraphStats;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Every drop and punt reason of the ip4 path: each kind of broken, unforwardable or kernel-bound
 * packet is sent 3 times among good ones, and exactly its counter (node/error; punts under
 * {@code punt/<reason>}) counts 3 per kind, no other counter moves, only the good packets leave, and
 * every dropped or punted frame goes back to its pool.
 */
class Ip4MalformedTest {
    private static final int GOOD_DST = Ip4.parse("10.1.0.5");
    private static final int GW = Ip4.parse("192.168.1.2");

    private static byte[] good(int dst, int ttl) {
        return TestPackets.udp(ForwardingHarness.PORT_MACS[0], 0x02_00_00_00_00_01L, Ip4.parse("10.9.9.9"), dst, 1, 2,
                ttl, 7, 0, 20);
    }

    private static byte[] withHeader(byte[] f, UnaryOperator<byte[]> change, boolean fixChecksum) {
        byte[] c = change.apply(f.clone());
        if (fixChecksum) {
            int ihl = (c[ETH] & 0xF) * 4;
            TestPackets.setChecksum(c, ETH, Math.max(20, Math.min(ihl, c.length - ETH)));
        }
        return c;
    }

    @Test
    void everyMalformedOrUnforwardablePacketIsDroppedAndCountedByName() {
        try (ForwardingHarness h = new ForwardingHarness(3)) {
            h.tables.setRoute(Ip4.parse("10.1.0.0"), 16, Ip4Tables.Path.via(1, GW));
            h.tables.setNeighbour(1, GW, 0x02_00_00_00_00_22L);
            h.tables.setRoute(Ip4.parse("10.2.0.0"), 16, Ip4Tables.Path.via(1, Ip4.parse("192.168.1.99"))); // unresolved
            h.tables.setTarget(Ip4.parse("10.3.0.0"), 16, FibResult.blackhole());
            h.tables.setTarget(Ip4.parse("10.4.0.0"), 16, FibResult.unreachable());
            h.tables.setTarget(Ip4.parse("10.5.0.0"), 16, FibResult.prohibit());
            h.tables.setTarget(Ip4.parse("10.6.0.1"), 32, FibResult.local(1));
            h.tables.setTarget(Ip4.parse("10.7.0.0"), 16, FibResult.punt());
            h.tables.setRoute(Ip4.parse("10.8.0.0"), 16, Ip4Tables.Path.via(3, GW)); // port 3: not in this graph
            h.tables.setNeighbour(3, GW, 0x02_00_00_00_00_33L);
            h.tables.setRoute(Ip4.parse("10.10.0.0"), 16, Ip4Tables.Path.connected(2)); // no neighbour for hosts

            byte[] ok = good(GOOD_DST, 64);
            // case -> the counter (node/error) it must move; punts are counted by the punt node by reason
            Map<byte[], String> cases = new LinkedHashMap<>();
            cases.put(Arrays.copyOf(ok, 13), "eth-input/too-short");
            cases.put(withHeader(ok, c -> {
                c[12] = 0x08;
                c[13] = 0x06; // ARP
                return c;
            }, false), "punt/not-ip4");
            cases.put(withHeader(ok, c -> {
                c[12] = (byte) 0x81;
                c[13] = 0x00;
                return c;
            }, false), "punt/not-ip4");
            cases.put(Arrays.copyOf(ok, ETH + 19), "ip4-input/too-short");
            cases.put(withHeader(ok, c -> {
                c[ETH] = 0x65;
                return c;
            }, true), "ip4-input/bad-version");
            cases.put(withHeader(ok, c -> {
                c[ETH] = 0x44;
                return c;
            }, true), "ip4-input/bad-ihl");
            cases.put(withHeader(ok, c -> {
                c[ETH] = 0x46;
                return c;
            }, true), "punt/options");
            cases.put(withHeader(ok, c -> {
                c[ETH + 2] = 0x7;   // total length 0x07xx > frame
                return c;
            }, true), "ip4-input/bad-length");
            cases.put(withHeader(ok, c -> {
                c[ETH + 11] ^= 0x5A;
                return c;
            }, false), "ip4-input/bad-checksum");
            cases.put(withHeader(ok, c -> {
                c[ETH + 6] = 0x20; // MF: a first fragment
                return c;
            }, true), "punt/fragment");
            cases.put(withHeader(ok, c -> {
                c[ETH + 7] = 0x10; // offset 16 (x 8 bytes): a later fragment
                return c;
            }, true), "punt/fragment");
            cases.put(good(GOOD_DST, 1), "punt/ttl-expired");
            cases.put(good(Ip4.parse("11.0.0.1"), 64), "punt/no-route");
            cases.put(good(Ip4.parse("10.3.1.1"), 64), "ip4-lookup/blackhole");
            cases.put(good(Ip4.parse("10.4.1.1"), 64), "punt/unreachable");
            cases.put(good(Ip4.parse("10.5.1.1"), 64), "punt/unreachable");
            cases.put(good(Ip4.parse("10.6.0.1"), 64), "punt/no-channel");
            cases.put(good(Ip4.parse("10.7.0.1"), 64), "punt/route");
            cases.put(good(Ip4.parse("10.2.0.1"), 64), "punt/no-neighbour");
            cases.put(good(Ip4.parse("10.8.0.1"), 64), "ip4-rewrite/egress-not-local");

            byte[] ttl0 = good(GOOD_DST, 0);
            byte[] connectedUnknown = good(Ip4.parse("10.10.0.1"), 64);
            int goodSent = 0;
            for (int round = 0; round < 3; round++) {
                for (byte[] bad : cases.keySet()) {
                    assertTrue(h.inject(0, bad));
                    assertTrue(h.inject(0, ok));
                    goodSent++;
                }
            }
            assertTrue(h.inject(0, ttl0));              // ttl 0 counts as ttl-expired too
            assertTrue(h.inject(0, connectedUnknown));  // connected, destination not a neighbour
            h.run();

            GraphStats st = h.graph.stats();
            System.out.print(st.format());
            Map<String, Long> expected = new LinkedHashMap<>();
            cases.values().forEach(k -> expected.merge(k, 3L, Long::sum));
            expected.merge("punt/ttl-expired", 1L, Long::sum);
            expected.merge("punt/no-neighbour", 1L, Long::sum);
            long punts = expected.entrySet().stream().filter(e -> e.getKey().startsWith("punt/"))
                    .mapToLong(Map.Entry::getValue).sum();
            // No kernel path in this graph (memory ports): every punt is also counted as dropped for that.
            expected.put("punt/no-kernel-path", punts);
            for (GraphStats.ErrorStats e : st.errors()) {
                String key = e.node() + "/" + e.error();
                assertEquals(expected.getOrDefault(key, 0L), e.count(), key);
            }
            List<byte[]> out = h.collect(1);
            assertEquals(goodSent, out.size());
            assertEquals(0, h.collect(0).size() + h.collect(2).size());
            long drops = cases.size() * 3L + 2 - punts;
            assertEquals(drops, st.port("p0").get("drops"), "dropped frames went back to their port");
            assertEquals(punts, st.nodes().stream().filter(n -> n.name().equals("punt")).findFirst().orElseThrow()
                    .packets(), "punted frames went through punt");
            assertEquals(h.pairs.getFirst().memory().frameCount(), h.framesInPools(), "no frame lost");
        }
    }
}
