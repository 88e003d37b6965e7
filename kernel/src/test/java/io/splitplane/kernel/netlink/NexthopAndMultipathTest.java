package io.splitplane.kernel.netlink;

import static io.splitplane.kernel.netlink.NetlinkFixture.addr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.splitplane.kernel.sys.Errno;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routes that go through nexthop objects (as FRR installs them) and ECMP routes, made with
 * {@code ip} and read back, and made through the API and checked with {@code ip}.
 */
class NexthopAndMultipathTest {
    private NetlinkFixture fx;
    private String a;
    private String b;
    private int ia;
    private int ib;

    @BeforeEach
    void setUp() {
        fx = new NetlinkFixture();
        a = fx.name("a");
        b = fx.name("b");
        ia = fx.vethUp(a, fx.name("pa"));
        ib = fx.vethUp(b, fx.name("pb"));
        fx.ip("addr", "add", "10.1.0.1/24", "dev", a);
        fx.ip("addr", "add", "10.2.0.1/24", "dev", b);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Route mainRoute(String prefix) {
        return fx.socket.routes(AddressFamily.UNSPEC, Route.TABLE_MAIN).stream()
                .filter(r -> r.prefix().equals(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no route " + prefix));
    }

    @Test
    void nexthopObjectsAndNhidRoutesMadeWithIpReadBack() {
        fx.ip("nexthop", "add", "id", "11", "via", "10.1.0.2", "dev", a);
        fx.ip("nexthop", "add", "id", "12", "via", "10.2.0.2", "dev", b);
        fx.ip("nexthop", "add", "id", "13", "dev", a);
        fx.ip("nexthop", "add", "id", "14", "blackhole");
        fx.ip("nexthop", "add", "id", "20", "group", "11/12,3");
        fx.ip("route", "add", "10.50.0.0/24", "nhid", "11");
        fx.ip("route", "add", "10.51.0.0/24", "nhid", "20");

        List<Nexthop> nexthops = fx.socket.nexthops();
        Nexthop n11 = byId(nexthops, 11);
        assertEquals(Optional.of(addr("10.1.0.2")), n11.gateway());
        assertEquals(ia, n11.ifindex());
        assertEquals(AddressFamily.INET, n11.family());
        assertFalse(n11.isGroup());
        Nexthop n13 = byId(nexthops, 13);
        assertEquals(Optional.empty(), n13.gateway());
        assertEquals(ia, n13.ifindex());
        assertTrue(byId(nexthops, 14).blackhole());
        Nexthop group = byId(nexthops, 20);
        assertTrue(group.isGroup());
        assertEquals(List.of(Nexthop.Member.of(11, 1), Nexthop.Member.of(12, 3)), group.group());

        Route single = mainRoute("10.50.0.0/24");
        assertEquals(11, single.nexthopId());
        assertEquals(Optional.of(addr("10.1.0.2")), single.gateway(), "the kernel reports the resolved path too");
        assertEquals(ia, single.oif());

        Route viaGroup = mainRoute("10.51.0.0/24");
        assertEquals(20, viaGroup.nexthopId());
        assertEquals(List.of(Route.Hop.via(addr("10.1.0.2"), ia, 1), Route.Hop.via(addr("10.2.0.2"), ib, 3)),
                viaGroup.multipath());
    }

    @Test
    void nexthopsAndNhidRoutesMadeThroughTheApiAreVisibleToIp() {
        fx.socket.addNexthop(Nexthop.via(31, addr("10.1.0.2"), ia));
        fx.socket.addNexthop(Nexthop.via(32, addr("10.2.0.2"), ib));
        fx.socket.addNexthop(Nexthop.blackhole(33, AddressFamily.INET));
        fx.socket.addNexthop(Nexthop.group(40, List.of(Nexthop.Member.of(31, 2), Nexthop.Member.of(32, 5))));
        fx.socket.addRoute(Route.usingNexthop(addr("10.60.0.0"), 24, 40));

        List<JsonNode> ip = IpJson.ip(fx.ns, "nexthop", "show");
        JsonNode n31 = IpJson.only(ip, "id", "31");
        assertEquals("10.1.0.2", n31.get("gateway").asText());
        assertEquals(a, n31.get("dev").asText());
        assertTrue(IpJson.only(ip, "id", "33").has("blackhole"), ip.toString());
        JsonNode n40 = IpJson.only(ip, "id", "40");
        assertEquals(31, n40.get("group").get(0).get("id").asInt());
        assertEquals(2, n40.get("group").get(0).get("weight").asInt());
        assertEquals(5, n40.get("group").get(1).get("weight").asInt());
        JsonNode route = IpJson.only(IpJson.ip(fx.ns, "route", "show"), "dst", "10.60.0.0/24");
        assertEquals(40, route.get("nhid").asInt());

        NetlinkException duplicate = assertThrows(NetlinkException.class,
                () -> fx.socket.addNexthop(Nexthop.via(31, addr("10.1.0.3"), ia)));
        assertEquals(Errno.EEXIST, duplicate.errno());

        fx.socket.replaceNexthop(Nexthop.via(31, addr("10.1.0.3"), ia));
        assertEquals("10.1.0.3", IpJson.only(IpJson.ip(fx.ns, "nexthop", "show"), "id", "31").get("gateway").asText());

        // Removing the group removes the route that uses it.
        fx.socket.removeNexthop(40);
        assertTrue(IpJson.ip(fx.ns, "route", "show", "10.60.0.0/24").isEmpty());
        assertFalse(fx.socket.nexthops().stream().anyMatch(n -> n.id() == 40));
        NetlinkException missing = assertThrows(NetlinkException.class, () -> fx.socket.removeNexthop(40));
        assertEquals("RTM_DELNEXTHOP", missing.requestName());
    }

    @Test
    void nexthopWithUnreachableGatewayCarriesExtendedAckText() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> fx.socket.addNexthop(Nexthop.via(50, addr("192.0.2.50"), ia)));
        assertTrue(e.extAckMessage().isPresent(), e.getMessage());
        assertTrue(e.getMessage().startsWith("RTM_NEWNEXTHOP failed: "), e.getMessage());
    }

    @Test
    void multipathRouteMadeWithIpReadsBackWithWeights() {
        fx.ip("route", "add", "10.70.0.0/24",
                "nexthop", "via", "10.1.0.2", "dev", a, "weight", "1",
                "nexthop", "via", "10.2.0.2", "dev", b, "weight", "3");

        Route route = mainRoute("10.70.0.0/24");

        assertEquals(0, route.nexthopId());
        assertEquals(Optional.empty(), route.gateway());
        assertEquals(List.of(Route.Hop.via(addr("10.1.0.2"), ia, 1), Route.Hop.via(addr("10.2.0.2"), ib, 3)),
                route.multipath());
    }

    @Test
    void ipv6MultipathRouteMadeWithIpReadsBack() {
        fx.ip("addr", "add", "fd01::1/64", "dev", a, "nodad");
        fx.ip("addr", "add", "fd02::1/64", "dev", b, "nodad");
        fx.ip("-6", "route", "add", "fd70::/48",
                "nexthop", "via", "fd01::2", "dev", a, "weight", "2",
                "nexthop", "via", "fd02::2", "dev", b, "weight", "1");

        Route route = mainRoute("fd70:0:0:0:0:0:0:0/48");

        assertEquals(AddressFamily.INET6, route.family());
        assertEquals(List.of(Route.Hop.via(addr("fd01::2"), ia, 2), Route.Hop.via(addr("fd02::2"), ib, 1)),
                route.multipath());
    }

    @Test
    void multipathRouteMadeThroughTheApiIsVisibleToIpAndRemovable() {
        Route route = Route.multipath(addr("10.80.0.0"), 24,
                List.of(Route.Hop.via(addr("10.1.0.2"), ia, 4), Route.Hop.via(addr("10.2.0.2"), ib, 1)));

        fx.socket.addRoute(route);

        JsonNode ip = IpJson.only(IpJson.ip(fx.ns, "route", "show"), "dst", "10.80.0.0/24");
        JsonNode hops = ip.get("nexthops");
        assertEquals(2, hops.size());
        assertEquals("10.1.0.2", hops.get(0).get("gateway").asText());
        assertEquals(a, hops.get(0).get("dev").asText());
        assertEquals(4, hops.get(0).get("weight").asInt());
        assertEquals("10.2.0.2", hops.get(1).get("gateway").asText());
        assertEquals(1, hops.get(1).get("weight").asInt());
        assertEquals(route.multipath(), mainRoute("10.80.0.0/24").multipath());

        fx.socket.removeRoute(route);
        assertTrue(IpJson.ip(fx.ns, "route", "show", "10.80.0.0/24").isEmpty());
    }

    private static Nexthop byId(List<Nexthop> nexthops, int id) {
        return nexthops.stream().filter(n -> n.id() == id).findFirst()
                .orElseThrow(() -> new AssertionError("no nexthop id=" + id + " in " + nexthops));
    }
}
