package io.splitplane.dataplane.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.fib.Adjacency;
import io.splitplane.dataplane.fib.Ip4;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against the real kernel: the namespace's state is changed with {@code ip}, and the
 * graph's tables must follow (routes, replace, delete, metrics, nexthop objects and groups,
 * multipath, neighbours, addresses, links), also after lost notifications.
 */
class NetlinkAgentTest {
    private AgentFixture fx;

    @BeforeEach
    void setUp() {
        fx = new AgentFixture();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void theStartingDumpMirrorsRoutesAddressesAndTheirKinds() {
        fx.ip("route", "add", "10.50.0.0/16", "via", "10.1.0.2");
        fx.ip("route", "add", "10.51.0.0/24", "via", "10.2.0.2", "dev", fx.b);
        fx.ip("route", "add", "blackhole", "10.66.0.0/24");
        fx.ip("route", "add", "unreachable", "10.67.0.0/24");
        fx.ip("route", "add", "prohibit", "10.68.0.0/24");
        fx.ip("route", "add", "throw", "10.69.0.0/24");
        // Out of a link the dataplane does not own: the kernel forwards those.
        fx.ip("addr", "add", "10.9.0.1/24", "dev", fx.pa);
        fx.ip("route", "add", "10.70.0.0/24", "via", "10.9.0.2", "dev", fx.pa);
        fx.start(0);

        assertEquals("connected port 0", fx.describe("10.1.0.0/24"));
        assertEquals("connected port 1", fx.describe("10.2.0.0/24"));
        assertEquals("via 10.1.0.2 port 0", fx.describe("10.50.0.0/16"));
        assertEquals("via 10.2.0.2 port 1", fx.describe("10.51.0.0/24"));
        assertEquals("blackhole", fx.describe("10.66.0.0/24"));
        assertEquals("unreachable", fx.describe("10.67.0.0/24"));
        assertEquals("prohibit", fx.describe("10.68.0.0/24"));
        assertEquals("punt", fx.describe("10.69.0.0/24"));
        assertEquals("punt", fx.describe("10.70.0.0/24"));
        assertEquals("punt", fx.describe("10.9.0.0/24"));
        // Own addresses are LOCAL (id = port), broadcasts and other links' addresses go to the kernel.
        assertEquals("local 0", fx.describe("10.1.0.1/32"));
        assertEquals("local 1", fx.describe("10.2.0.1/32"));
        assertEquals("punt", fx.describe("10.1.0.255/32"));
        assertEquals("punt", fx.describe("10.9.0.1/32"));
        assertEquals(fx.kernelPrefixes(), fx.fibPrefixes());
        assertEquals(1, fx.agent.stats().resyncs());
    }

    @Test
    void routesAddedReplacedAndRemovedWithIpAreFollowed() {
        fx.start(0);
        fx.ip("route", "add", "10.50.0.0/24", "via", "10.1.0.2");
        fx.awaitFib("10.50.0.0/24", "via 10.1.0.2 port 0");
        fx.ip("route", "replace", "10.50.0.0/24", "via", "10.2.0.7");
        fx.awaitFib("10.50.0.0/24", "via 10.2.0.7 port 1");
        fx.ip("route", "replace", "blackhole", "10.50.0.0/24");
        fx.awaitFib("10.50.0.0/24", "blackhole");
        fx.ip("route", "del", "10.50.0.0/24");
        fx.awaitFib("10.50.0.0/24", "none");

        // A /32 host route, a default route, and longer-than-/24 prefixes.
        fx.ip("route", "add", "10.77.1.1/32", "via", "10.1.0.3");
        fx.ip("route", "add", "default", "via", "10.2.0.9");
        fx.ip("route", "add", "10.77.2.128/25", "dev", fx.b);
        fx.awaitFib("10.77.1.1/32", "via 10.1.0.3 port 0");
        fx.awaitFib("0.0.0.0/0", "via 10.2.0.9 port 1");
        fx.awaitFib("10.77.2.128/25", "connected port 1");
        fx.ip("route", "del", "default");
        fx.awaitFib("0.0.0.0/0", "none");
    }

    @Test
    void theLowestMetricWinsAsInTheKernel() {
        fx.start(0);
        fx.ip("route", "add", "10.55.0.0/24", "via", "10.2.0.2", "metric", "100");
        fx.awaitFib("10.55.0.0/24", "via 10.2.0.2 port 1");
        fx.ip("route", "add", "10.55.0.0/24", "via", "10.1.0.2", "metric", "50");
        fx.awaitFib("10.55.0.0/24", "via 10.1.0.2 port 0");
        fx.ip("route", "add", "10.55.0.0/24", "via", "10.1.0.3", "metric", "200");
        fx.ip("route", "del", "10.55.0.0/24", "metric", "50");
        fx.awaitFib("10.55.0.0/24", "via 10.2.0.2 port 1");
        fx.ip("route", "del", "10.55.0.0/24", "metric", "100");
        fx.awaitFib("10.55.0.0/24", "via 10.1.0.3 port 0");
        fx.ip("route", "del", "10.55.0.0/24", "metric", "200");
        fx.awaitFib("10.55.0.0/24", "none");
    }

    @Test
    void nexthopObjectsAndGroupsAsFrrInstallsThem() {
        fx.start(0);
        fx.ip("nexthop", "add", "id", "11", "via", "10.1.0.2", "dev", fx.a);
        fx.ip("nexthop", "add", "id", "12", "via", "10.2.0.2", "dev", fx.b);
        fx.ip("nexthop", "add", "id", "13", "blackhole");
        fx.ip("nexthop", "add", "id", "20", "group", "11/12,3");
        fx.ip("route", "add", "10.60.0.0/24", "nhid", "11");
        fx.ip("route", "add", "10.61.0.0/24", "nhid", "20");
        fx.ip("route", "add", "10.62.0.0/24", "nhid", "13");
        fx.awaitFib("10.60.0.0/24", "via 10.1.0.2 port 0");
        fx.awaitFib("10.61.0.0/24", "ecmp[via 10.1.0.2 port 0 w1, via 10.2.0.2 port 1 w3]");
        fx.awaitFib("10.62.0.0/24", "blackhole");

        // Replacing an object moves every route using it, directly or through a group: in place, the
        // FIB entries keep naming the same next hop and group, and not one FIB entry is written.
        int direct = fx.fib("10.60.0.0/24");
        int grouped = fx.fib("10.61.0.0/24");
        long writes = fx.tables.fib().entryWrites();
        fx.ip("nexthop", "replace", "id", "11", "via", "10.1.0.9", "dev", fx.a);
        fx.awaitFib("10.60.0.0/24", "via 10.1.0.9 port 0");
        fx.awaitFib("10.61.0.0/24", "ecmp[via 10.1.0.9 port 0 w1, via 10.2.0.2 port 1 w3]");
        assertEquals(direct, fx.fib("10.60.0.0/24"));
        assertEquals(grouped, fx.fib("10.61.0.0/24"));
        assertEquals(writes, fx.tables.fib().entryWrites());
        fx.ip("nexthop", "replace", "id", "20", "group", "11,2/12");
        fx.awaitFib("10.61.0.0/24", "ecmp[via 10.1.0.9 port 0 w2, via 10.2.0.2 port 1 w1]");
        assertEquals(grouped, fx.fib("10.61.0.0/24"));
        // A route moved from one object to another.
        fx.ip("route", "replace", "10.60.0.0/24", "nhid", "12");
        fx.awaitFib("10.60.0.0/24", "via 10.2.0.2 port 1");

        // Deleting an object deletes its routes in the kernel, which says so with RTM_DELNEXTHOP only.
        fx.ip("nexthop", "del", "id", "20");
        fx.awaitFib("10.61.0.0/24", "none");
        fx.ip("nexthop", "del", "id", "12");
        fx.awaitFib("10.60.0.0/24", "none");
        fx.awaitTrue(() -> fx.agent.stats().nexthops() == 2);
        assertEquals(fx.kernelPrefixes(), fx.fibPrefixes());
    }

    @Test
    void multipathRoutesBecomeWeightedEcmpGroups() {
        fx.start(0);
        fx.ip("route", "add", "10.63.0.0/24", "nexthop", "via", "10.1.0.2", "dev", fx.a, "weight", "1",
                "nexthop", "via", "10.2.0.2", "dev", fx.b, "weight", "2");
        fx.awaitFib("10.63.0.0/24", "ecmp[via 10.1.0.2 port 0 w1, via 10.2.0.2 port 1 w2]");
        fx.ip("route", "replace", "10.63.0.0/24", "nexthop", "via", "10.1.0.2", "dev", fx.a, "nexthop", "via",
                "10.1.0.3", "dev", fx.a, "nexthop", "via", "10.2.0.3", "dev", fx.b);
        fx.awaitFib("10.63.0.0/24", "ecmp[via 10.1.0.2 port 0 w1, via 10.1.0.3 port 0 w1, via 10.2.0.3 port 1 w1]");
        // One path out of a link the dataplane does not own: the whole route is the kernel's.
        fx.ip("addr", "add", "10.9.0.1/24", "dev", fx.pa);
        fx.ip("route", "replace", "10.63.0.0/24", "nexthop", "via", "10.1.0.2", "dev", fx.a, "nexthop", "via",
                "10.9.0.2", "dev", fx.pa);
        fx.awaitFib("10.63.0.0/24", "punt");
    }

    @Test
    void usableNeighboursAreInstalledAndOthersRemoved() {
        fx.start(0);
        int gw = Ip4.parse("10.1.0.2");
        fx.ip("neigh", "replace", "10.1.0.2", "lladdr", "02:00:00:00:01:02", "dev", fx.a, "nud", "reachable");
        fx.awaitTrue(() -> mac(0, gw) == Adjacency.parseMac("02:00:00:00:01:02"));
        fx.ip("neigh", "replace", "10.1.0.2", "lladdr", "02:00:00:00:01:03", "dev", fx.a, "nud", "stale");
        fx.awaitTrue(() -> mac(0, gw) == Adjacency.parseMac("02:00:00:00:01:03"));
        fx.ip("neigh", "replace", "10.2.0.2", "lladdr", "02:00:00:00:02:02", "dev", fx.b, "nud", "permanent");
        fx.awaitTrue(() -> mac(1, Ip4.parse("10.2.0.2")) == Adjacency.parseMac("02:00:00:00:02:02"));
        // A gateway next hop through it resolves with the neighbour's MAC.
        fx.ip("route", "add", "10.64.0.0/24", "via", "10.1.0.2");
        fx.awaitFib("10.64.0.0/24", "via 10.1.0.2 port 0");
        fx.awaitTrue(() -> Adjacency.isResolved(fx.tables.nextHops().resolve(
                io.splitplane.dataplane.fib.FibResult.id(fx.fib("10.64.0.0/24")), Ip4.parse("10.64.0.1"))));
        // INCOMPLETE and deletion remove it: next hops through it are unresolved (punt, the kernel resolves).
        fx.ip("neigh", "replace", "10.1.0.2", "dev", fx.a, "nud", "incomplete");
        fx.awaitTrue(() -> mac(0, gw) == -1);
        assertEquals(Adjacency.UNRESOLVED, Adjacency.state(fx.tables.nextHops().resolve(
                io.splitplane.dataplane.fib.FibResult.id(fx.fib("10.64.0.0/24")), Ip4.parse("10.64.0.1"))));
        fx.ip("neigh", "del", "10.2.0.2", "dev", fx.b);
        fx.awaitTrue(() -> mac(1, Ip4.parse("10.2.0.2")) == -1);
        // Neighbours on links the dataplane does not own are not mirrored.
        fx.ip("addr", "add", "10.9.0.1/24", "dev", fx.pa);
        fx.ip("neigh", "replace", "10.9.0.2", "lladdr", "02:00:00:00:09:02", "dev", fx.pa, "nud", "permanent");
        fx.ip("neigh", "replace", "10.1.0.5", "lladdr", "02:00:00:00:01:05", "dev", fx.a, "nud", "permanent");
        fx.awaitTrue(() -> mac(0, Ip4.parse("10.1.0.5")) != -1);
        assertEquals(1, fx.tables.nextHops().neighbours().size());
    }

    private long mac(int port, int address) {
        synchronized (fx.tables) {
            return fx.tables.nextHops().neighbours().mac(port, address);
        }
    }

    @Test
    void addressesComeAndGoAsLocalEntriesAndLinksAsPortMacs() {
        fx.start(0);
        fx.ip("addr", "add", "10.1.0.77/24", "dev", fx.a);
        fx.awaitFib("10.1.0.77/32", "local 0");
        fx.ip("addr", "del", "10.1.0.77/24", "dev", fx.a);
        fx.awaitFib("10.1.0.77/32", "none");
        // A host route for the same /32 comes back once the address is gone (local is consulted first).
        fx.ip("route", "add", "10.2.0.50/32", "via", "10.1.0.2");
        fx.awaitFib("10.2.0.50/32", "via 10.1.0.2 port 0");
        fx.ip("addr", "add", "10.2.0.50/24", "dev", fx.b);
        fx.awaitFib("10.2.0.50/32", "local 1");
        fx.ip("addr", "del", "10.2.0.50/24", "dev", fx.b);
        fx.awaitFib("10.2.0.50/32", "via 10.1.0.2 port 0");

        fx.ip("link", "set", "dev", fx.a, "address", "02:aa:00:00:00:01", "mtu", "1400");
        fx.awaitTrue(() -> fx.tables.nextHops().portMac(0) == Adjacency.parseMac("02:aa:00:00:00:01"));
        fx.awaitTrue(() -> fx.agent.links().get(0).mtu() == 1400);
        MirroredLink l = fx.agent.links().get(0);
        assertEquals(fx.a, l.name());
        assertTrue(l.up());
        assertEquals(List.of("10.1.0.1/24"), l.addresses());
    }

    @Test
    void aLinkSetDownLosesItsRoutesThoughTheKernelSendsNoDelroute() {
        fx.start(0);
        fx.ip("route", "add", "10.52.0.0/24", "via", "10.2.0.2");
        fx.awaitFib("10.52.0.0/24", "via 10.2.0.2 port 1");
        fx.ip("link", "set", "dev", fx.b, "down");
        fx.awaitFib("10.52.0.0/24", "none");
        fx.awaitFib("10.2.0.0/24", "none");
        fx.awaitTrue(() -> fx.kernelPrefixes().equals(fx.fibPrefixes()));
        assertTrue(fx.agent.links().get(1).up() == false);
    }

    @Test
    void anAgentStartedDuringARouteStormConvergesToTheKernelsTable(@TempDir Path dir) throws Exception {
        List<String> batch = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 3000; i++) {
                batch.add("route replace 10." + (150 + i / 256) + "." + (i % 256) + ".0/24 via 10.1.0." + (2 + (i + round) % 9));
            }
            for (int i = round; i < 3000; i += 4) {
                batch.add("route del 10." + (150 + i / 256) + "." + (i % 256) + ".0/24");
            }
        }
        Path file = dir.resolve("storm.batch");
        Files.write(file, batch);
        // A standing table first, so the agent's dump takes a while.
        List<String> standing = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            standing.add("route add 10." + (200 + i / 256 / 256) + "." + (i / 256 % 256) + "." + (i % 256) + "/32 via 10.2.0.2");
        }
        Path base = dir.resolve("standing.batch");
        Files.write(base, standing);
        fx.ip("-batch", base.toString());
        // The storm runs while the agent subscribes and dumps: its dumps may be marked inconsistent
        // (and read again), and events for routes the dump already had arrive afterwards.
        Process storm = new ProcessBuilder("ip", "-n", fx.ns, "-force", "-batch", file.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(30);
            fx.start(0);
            assertTrue(storm.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "storm finished");
        } finally {
            storm.destroyForcibly();
        }
        try {
            fx.awaitTrue(() -> fx.kernelPrefixes().equals(fx.fibPrefixes()));
        } catch (RuntimeException e) {
            java.util.TreeSet<String> k = fx.kernelPrefixes();
            java.util.TreeSet<String> f = fx.fibPrefixes();
            java.util.TreeSet<String> onlyK = new java.util.TreeSet<>(k);
            onlyK.removeAll(f);
            java.util.TreeSet<String> onlyF = new java.util.TreeSet<>(f);
            onlyF.removeAll(k);
            throw new AssertionError("kernel only " + onlyK.size() + " " + onlyK.stream().limit(10).toList() + "; fib only "
                    + onlyF.size() + " " + onlyF.stream().limit(10).toList() + "; " + fx.agent.stats(), e);
        }
        assertEquals("via 10.1.0.6 port 0", fx.describe("10.150.1.0/24")); // the last round's gateway for i=1
        System.out.println("storm: " + fx.agent.stats());
    }

    @Test
    void lostNotificationsAreRecoveredByResyncToATableEqualToTheKernels(@TempDir Path dir) throws Exception {
        // The smallest receive buffer the kernel grants, and a burst far beyond it.
        fx.start(1);
        assertEquals(0, fx.agent.stats().lostEvents());
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            batch.add("route add 10." + (100 + i / 256) + "." + (i % 256) + ".0/24 via 10.1.0." + (2 + i % 50));
        }
        for (int i = 0; i < 6000; i += 3) {
            batch.add("route del 10." + (100 + i / 256) + "." + (i % 256) + ".0/24");
        }
        for (int i = 1; i < 6000; i += 3) {
            batch.add("route replace 10." + (100 + i / 256) + "." + (i % 256) + ".0/24 via 10.2.0.9");
        }
        Path file = dir.resolve("burst.batch");
        Files.write(file, batch);
        fx.ip("-batch", file.toString());

        fx.awaitTrue(() -> fx.agent.stats().lostEvents() > 0);
        fx.awaitTrue(() -> fx.kernelPrefixes().equals(fx.fibPrefixes()));
        assertEquals(fx.kernelPrefixes(), fx.fibPrefixes());
        assertTrue(fx.agent.stats().resyncs() >= 2, "resynchronised: " + fx.agent.stats());
        // Not only the prefixes: the replaced ones point where the kernel says.
        assertEquals("via 10.2.0.9 port 1", fx.describe("10.100.1.0/24"));
        assertEquals("via 10.1.0.4 port 0", fx.describe("10.100.2.0/24"));
        assertEquals("none", fx.describeOrNone("10.100.0.0/24"));
        // And it keeps following afterwards.
        fx.ip("route", "add", "10.99.0.0/24", "via", "10.1.0.2");
        fx.awaitFib("10.99.0.0/24", "via 10.1.0.2 port 0");
        System.out.println("after the burst: " + fx.agent.stats());
    }
}
