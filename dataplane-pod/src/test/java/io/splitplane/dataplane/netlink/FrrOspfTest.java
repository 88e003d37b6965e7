package io.splitplane.dataplane.netlink;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.fib.NextHop;
import io.splitplane.dataplane.ip4.Ip4Tables;
import io.splitplane.dataplane.testing.FrrRouter;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two routers in namespaces run FRR (zebra + ospfd) and learn each other's networks over OSPF; the
 * agent in r1 mirrors what FRR installs (routes through nexthop objects) into the graph's FIB, and a
 * route withdrawn after a link goes down in r2 leaves the FIB.
 *
 * <pre>
 *  lan1 10.82.10.1/24 (stub veths) [r1: FRR + agent] l1 10.82.12.1 ==veth== 10.82.12.2 l2 [r2: FRR] lan2 10.82.20.1/24
 *                                                                                       lan3 10.82.30.1/24
 * </pre>
 */
class FrrOspfTest {

    @Test
    void theFibFollowsOspfRoutesInstalledByFrrIncludingAWithdrawal() {
        assumeTrue(FrrRouter.installed(), "FRR is not installed (build-tools/setup.sh installs it)");
        try (TestNetwork net = new TestNetwork(); Ip4Tables tables = new Ip4Tables(1)) {
            String r1 = net.namespace("r1");
            String r2 = net.namespace("r2");
            TestNetwork.Veth link = net.veth(r1, r2);
            String lan1 = net.uniqueName("l1");
            String lan2 = net.uniqueName("l2");
            String lan3 = net.uniqueName("l3");
            stub(net, r1, lan1, "10.82.10.1/24");
            stub(net, r2, lan2, "10.82.20.1/24");
            stub(net, r2, lan3, "10.82.30.1/24");
            Shell.ipIn(r1, "addr", "add", "10.82.12.1/24", "dev", link.a());
            Shell.ipIn(r2, "addr", "add", "10.82.12.2/24", "dev", link.b());

            FrrRouter frr1 = FrrRouter.builder(net, r1, "1.1.1.1").ospfInterface(link.a())
                    .ospfNetwork("10.82.0.0/16").start();
            FrrRouter frr2 = FrrRouter.builder(net, r2, "2.2.2.2").ospfInterface(link.b())
                    .ospfNetwork("10.82.0.0/16").start();

            try (NetNamespace ns1 = NetNamespace.open(r1);
                 NetlinkAgent agent = NetlinkAgent.start("r1", tables, Map.of(link.a(), 0, lan1, 1), ns1, 0)) {
                frr1.awaitOspfNeighbours(1, Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(
                        () -> describe(tables, "10.82.20.0/24").equals("via 10.82.12.2 port 0")
                                && describe(tables, "10.82.30.0/24").equals("via 10.82.12.2 port 0"));
                // FRR 8 installs through nexthop objects: the agent resolved an nhid route.
                String kernel = Shell.ipIn(r1, "route", "show", "10.82.20.0/24");
                assertTrue(kernel.contains("nhid") && kernel.contains("proto ospf"), kernel);
                assertTrue(agent.stats().nexthops() >= 1, agent.stats().toString());
                // r2 learned r1's network the same way.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> Shell.ipIn(r2, "route", "show", "10.82.10.0/24").contains("via 10.82.12.1"));
                assertEquals("connected port 1", describe(tables, "10.82.10.0/24"));
                assertEquals("local 0", describe(tables, "10.82.12.1/32"));

                // A link goes down in r2: OSPF withdraws its network, zebra removes the route, the FIB follows.
                Shell.ipIn(r2, "link", "set", "dev", lan3, "down");
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> describe(tables, "10.82.30.0/24").equals("none"));
                assertEquals("via 10.82.12.2 port 0", describe(tables, "10.82.20.0/24"));
                // And comes back up: the route returns.
                Shell.ipIn(r2, "link", "set", "dev", lan3, "up");
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> describe(tables, "10.82.30.0/24").equals("via 10.82.12.2 port 0"));
                System.out.println(frr1.vtysh("show ip route ospf"));
                System.out.println("agent: " + agent.stats());
            }
        }
    }

    /** A stub network: a veth whose peer stays in the same namespace (no dummy driver needed). */
    private static void stub(TestNetwork net, String ns, String name, String address) {
        String peer = net.uniqueName("p");
        Shell.ipIn(ns, "link", "add", name, "type", "veth", "peer", "name", peer);
        Shell.ipIn(ns, "addr", "add", address, "dev", name);
        Shell.ipIn(ns, "link", "set", "dev", name, "up");
        Shell.ipIn(ns, "link", "set", "dev", peer, "up");
    }

    private static String describe(Ip4Tables tables, String prefix) {
        String[] p = prefix.split("/");
        synchronized (tables) {
            int t = tables.fib().route(Ip4.parse(p[0]), Integer.parseInt(p[1]));
            return switch (FibResult.kind(t)) {
                case FibResult.KIND_NO_ROUTE -> "none";
                case FibResult.KIND_NEXT_HOP -> {
                    NextHop nh = tables.nextHops().get(FibResult.id(t)).orElseThrow();
                    yield nh.type() == NextHop.Type.GATEWAY ? "via " + Ip4.toString(nh.gateway()) + " port " + nh.port()
                            : "connected port " + nh.port();
                }
                case FibResult.KIND_LOCAL -> "local " + FibResult.id(t);
                default -> FibResult.toString(t);
            };
        }
    }
}
