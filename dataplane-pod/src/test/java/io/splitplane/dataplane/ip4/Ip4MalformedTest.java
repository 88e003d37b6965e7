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
 * Every drop reason of the ip4 path: each kind of broken or unforwardable packet is sent 3 times
 * among good ones, and exactly its counter (node/error) counts 3 per kind, no other counter moves,
 * only the good packets leave, and every dropped frame goes back to its pool.
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
            Map<String, byte[]> cases = new LinkedHashMap<>();
            cases.put("eth-input/too-short", Arrays.copyOf(ok, 13));
            cases.put("eth-input/not-ip4", withHeader(ok, c -> {
                c[12] = 0x08;
                c[13] = 0x06; // ARP
                return c;
            }, false));
            cases.put("eth-input/vlan", withHeader(ok, c -> {
                c[12] = (byte) 0x81;
                c[13] = 0x00;
                return c;
            }, false));
            cases.put("ip4-input/too-short", Arrays.copyOf(ok, ETH + 19));
            cases.put("ip4-input/bad-version", withHeader(ok, c -> {
                c[ETH] = 0x65;
                return c;
            }, true));
            cases.put("ip4-input/bad-ihl", withHeader(ok, c -> {
                c[ETH] = 0x44;
                return c;
            }, true));
            cases.put("ip4-input/options", withHeader(ok, c -> {
                c[ETH] = 0x46;
                return c;
            }, true));
            cases.put("ip4-input/bad-length", withHeader(ok, c -> {
                c[ETH + 2] = 0x7;   // total length 0x07xx > frame
                return c;
            }, true));
            cases.put("ip4-input/bad-checksum", withHeader(ok, c -> {
                c[ETH + 11] ^= 0x5A;
                return c;
            }, false));
            cases.put("ip4-input/ttl-expired", good(GOOD_DST, 1));
            cases.put("ip4-lookup/no-route", good(Ip4.parse("11.0.0.1"), 64));
            cases.put("ip4-lookup/blackhole", good(Ip4.parse("10.3.1.1"), 64));
            cases.put("ip4-lookup/unreachable", good(Ip4.parse("10.4.1.1"), 64));
            cases.put("ip4-lookup/prohibit", good(Ip4.parse("10.5.1.1"), 64));
            cases.put("ip4-lookup/local", good(Ip4.parse("10.6.0.1"), 64));
            cases.put("ip4-lookup/punt", good(Ip4.parse("10.7.0.1"), 64));
            cases.put("ip4-rewrite/no-neighbour", good(Ip4.parse("10.2.0.1"), 64));
            cases.put("ip4-rewrite/egress-not-local", good(Ip4.parse("10.8.0.1"), 64));

            byte[] ttl0 = good(GOOD_DST, 0);
            byte[] connectedUnknown = good(Ip4.parse("10.10.0.1"), 64);
            int goodSent = 0;
            for (int round = 0; round < 3; round++) {
                for (byte[] bad : cases.values()) {
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
            cases.keySet().forEach(k -> expected.put(k, 3L));
            expected.merge("ip4-input/ttl-expired", 1L, Long::sum);
            expected.merge("ip4-rewrite/no-neighbour", 1L, Long::sum);
            for (GraphStats.ErrorStats e : st.errors()) {
                String key = e.node() + "/" + e.error();
                assertEquals(expected.getOrDefault(key, 0L), e.count(), key);
            }
            List<byte[]> out = h.collect(1);
            assertEquals(goodSent, out.size());
            assertEquals(0, h.collect(0).size() + h.collect(2).size());
            long drops = cases.size() * 3L + 2;
            assertEquals(drops, st.port("p0").get("drops"), "dropped frames went back to their port");
            assertEquals(h.pairs.getFirst().memory().frameCount(), h.framesInPools(), "no frame lost");
        }
    }
}
