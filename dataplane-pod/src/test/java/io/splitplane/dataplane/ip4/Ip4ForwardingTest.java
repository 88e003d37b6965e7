package io.splitplane.dataplane.ip4;

import static io.splitplane.dataplane.ip4.TestPackets.ETH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.fib.Ip4;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The IPv4 forwarding path on in-memory ports against reference computations. */
class Ip4ForwardingTest {
    private static final long SRC_MAC = 0x02_00_00_00_5E_01L;
    private static final long IN_MAC = ForwardingHarness.PORT_MACS[0];

    private static long gwMac(int port, int k) {
        return 0x02_00_00_00_00_00L | (long) port << 8 | k;
    }

    /** Route, as the reference sees it. */
    record Ref(int prefix, int length, int port, int gateway) {
        boolean contains(int address) {
            return (address & Ip4.mask(length)) == prefix;
        }
    }

    @Test
    void randomPacketsAreForwardedExactlyAsTheReferenceComputesThem() {
        try (ForwardingHarness h = new ForwardingHarness(3)) {
            List<Ref> routes = List.of(
                    new Ref(Ip4.parse("10.1.0.0"), 16, 1, Ip4.parse("192.168.1.2")),
                    new Ref(Ip4.parse("10.1.128.0"), 17, 2, Ip4.parse("192.168.2.2")),
                    new Ref(Ip4.parse("10.2.0.0"), 16, 2, Ip4.parse("192.168.2.3")),
                    new Ref(Ip4.parse("10.3.7.0"), 24, 0, 0),               // connected on port 0
                    new Ref(Ip4.parse("10.3.7.128"), 25, 1, Ip4.parse("192.168.1.9")),
                    new Ref(Ip4.parse("10.3.7.200"), 32, 2, Ip4.parse("192.168.2.2")));
            for (Ref r : routes) {
                h.tables.setRoute(r.prefix(), r.length(), new Ip4Tables.Path(r.port(), r.gateway(), 1));
            }
            h.tables.setNeighbour(1, Ip4.parse("192.168.1.2"), gwMac(1, 2));
            h.tables.setNeighbour(1, Ip4.parse("192.168.1.9"), gwMac(1, 9));
            h.tables.setNeighbour(2, Ip4.parse("192.168.2.2"), gwMac(2, 2));
            h.tables.setNeighbour(2, Ip4.parse("192.168.2.3"), gwMac(2, 3));
            for (int host = 1; host < 128; host++) {
                h.tables.setNeighbour(0, Ip4.parse("10.3.7.0") | host, gwMac(0, host));
            }
            SplittableRandom rnd = new SplittableRandom(4);
            int packets = 20_000;
            int[] expectedPerPort = new int[3];
            List<List<byte[]>> expected = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int sent = 0; sent < packets; ) {
                int batch = Math.min(256, packets - sent);
                for (int k = 0; k < batch; k++) {
                    Ref pick = routes.get(rnd.nextInt(routes.size()));
                    int dst = pick.prefix() | (rnd.nextInt() & ~Ip4.mask(pick.length()));
                    if (pick.gateway() == 0) {
                        dst = pick.prefix() | (1 + rnd.nextInt(127));      // a resolved host
                    }
                    byte[] in = TestPackets.udp(IN_MAC, SRC_MAC, rnd.nextInt(), dst, rnd.nextInt(65536),
                            rnd.nextInt(65536), 2 + rnd.nextInt(254), rnd.nextInt(65536), rnd.nextInt(256),
                            rnd.nextInt(1400));
                    if (rnd.nextInt(10) == 0) {
                        in = java.util.Arrays.copyOf(in, Math.max(in.length, 60) + rnd.nextInt(8)); // padding
                    }
                    Ref best = null;
                    for (Ref r : routes) {
                        if (r.contains(dst) && (best == null || r.length() > best.length())) {
                            best = r;
                        }
                    }
                    int nextHop = best.gateway() == 0 ? dst : best.gateway();
                    long dstMac = best.gateway() == 0 ? gwMac(0, dst & 0xFF)
                            : gwMac(best.port(), nextHop & 0xFF);
                    expected.get(best.port()).add(TestPackets.forwarded(in, dstMac, ForwardingHarness.PORT_MACS[best
                            .port()]));
                    expectedPerPort[best.port()]++;
                    assertTrue(h.inject(0, in));
                }
                sent += batch;
                h.run();
                for (int p = 0; p < 3; p++) {
                    List<byte[]> got = h.collect(p);
                    List<byte[]> want = expected.get(p);
                    assertEquals(want.size(), got.size(), "port " + p);
                    for (int k = 0; k < got.size(); k++) {
                        assertArrayEquals(want.get(k), got.get(k), "port " + p + " packet " + k);
                    }
                    want.clear();
                }
            }
            var st = h.graph.stats();
            System.out.print(st.format());
            assertEquals(packets, st.node("ip4-rewrite").packets());
            for (int p = 0; p < 3; p++) {
                assertEquals(expectedPerPort[p], st.port("p" + p).get("tx-packets"));
            }
            assertEquals(h.pairs.getFirst().memory().frameCount(), h.framesInPools(), "no frame lost");
        }
    }

    @Test
    void incrementalChecksumMatchesFullRecomputationForEveryTtlAndChecksum() {
        try (ForwardingHarness h = new ForwardingHarness(2)) {
            h.tables.setRoute(0, 0, Ip4Tables.Path.via(1, Ip4.parse("192.168.1.2")));
            h.tables.setNeighbour(1, Ip4.parse("192.168.1.2"), gwMac(1, 2));
            SplittableRandom rnd = new SplittableRandom(9);
            int n = 0;
            for (int ttl = 2; ttl <= 255; ttl++) {
                for (int k = 0; k < 40; k++) {
                    // Random headers cover the checksum space, including values around 0x0000/0xFFFF.
                    byte[] in = TestPackets.udp(IN_MAC, SRC_MAC, rnd.nextInt(), rnd.nextInt(), 1, 2, ttl,
                            rnd.nextInt(65536), rnd.nextInt(256), 18);
                    assertTrue(h.inject(0, in));
                    n++;
                    h.run();
                    List<byte[]> out = h.collect(1);
                    assertEquals(1, out.size());
                    byte[] want = TestPackets.forwarded(in, gwMac(1, 2), ForwardingHarness.PORT_MACS[1]);
                    assertArrayEquals(want, out.getFirst(), "ttl " + ttl);
                    assertEquals(ttl - 1, out.getFirst()[ETH + 8] & 0xFF);
                }
            }
            assertEquals(n, h.graph.stats().node("ip4-rewrite").packets());
        }
    }
}
