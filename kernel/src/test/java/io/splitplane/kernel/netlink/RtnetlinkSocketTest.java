package io.splitplane.kernel.netlink;

import static io.splitplane.kernel.netlink.NetlinkFixture.addr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.splitplane.kernel.netns.NamespaceNotFoundException;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.testing.Shell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request socket against the real kernel, inside a fresh namespace per test: dumps agree with
 * {@code ip -j}, changes made through the API are what {@code ip -j} then shows, and bad input gives
 * clear exceptions.
 */
class RtnetlinkSocketTest {
    private NetlinkFixture fx;

    @BeforeEach
    void setUp() {
        fx = new NetlinkFixture();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    // ---- dumps agree with ip -------------------------------------------------------------------

    @Test
    void linkDumpMatchesIp() {
        String a = fx.name("a");
        String b = fx.name("b");
        fx.vethUp(a, b);
        fx.ip("link", "set", b, "mtu", "1400");

        Map<String, Link> links = fx.socket.links().stream().collect(Collectors.toMap(Link::name, Function.identity()));
        List<JsonNode> ip = IpJson.ip(fx.ns, "-d", "link", "show");

        assertEquals(ip.stream().map(n -> n.get("ifname").asText()).collect(Collectors.toSet()), links.keySet());
        for (JsonNode n : ip) {
            Link link = links.get(n.get("ifname").asText());
            assertEquals(n.get("ifindex").asInt(), link.index(), link.name());
            assertEquals(n.get("mtu").asInt(), link.mtu(), link.name());
            assertEquals(n.get("operstate").asText(), link.operState().name(), link.name());
            assertEquals(n.path("address").asText(), link.mac().map(MacAddress::toString).orElse(""), link.name());
            assertEquals(n.path("linkinfo").path("info_kind").asText(), link.kind().orElse(""), link.name());
            assertEquals(n.path("num_rx_queues").asInt(), link.numRxQueues(), link.name());
            assertEquals(hasFlag(n, "UP"), link.isUp(), link.name());
        }
        Link veth = links.get(a);
        assertEquals(links.get(b).index(), veth.link(), "a veth's IFLA_LINK is its peer");
        assertEquals(Link.ARPHRD_ETHER, veth.type());
        assertTrue(veth.carrier());
        assertFalse(veth.xdp().isAttached());
        assertTrue(links.get("lo").isLoopback());
    }

    @Test
    void staticNeighboursSetThroughTheApiAreWhatIpShows() {
        String a = fx.name("a");
        int ifindex = fx.vethUp(a, fx.name("b"));
        InetAddress v4 = addr("192.0.2.9");
        InetAddress v6 = addr("2001:db8::9");
        fx.socket.setNeighbour(ifindex, v4, MacAddress.parse("02:00:00:00:00:09"), Neighbour.NUD_PERMANENT);
        fx.socket.setNeighbour(ifindex, v6, MacAddress.parse("02:00:00:00:00:0a"), Neighbour.NUD_PERMANENT);
        String shown = fx.ip("neigh", "show", "dev", a);
        assertTrue(shown.contains("192.0.2.9 lladdr 02:00:00:00:00:09 PERMANENT"), shown);
        assertTrue(shown.contains("2001:db8::9 lladdr 02:00:00:00:00:0a PERMANENT"), shown);

        // replace, not add: a second set changes the entry in place
        fx.socket.setNeighbour(ifindex, v4, MacAddress.parse("02:00:00:00:00:0b"), Neighbour.NUD_PERMANENT);
        assertTrue(fx.ip("neigh", "show", "dev", a).contains("192.0.2.9 lladdr 02:00:00:00:00:0b PERMANENT"));
        Neighbour read = fx.socket.neighbours(AddressFamily.INET).stream()
                .filter(n -> n.address().equals(v4)).findFirst().orElseThrow();
        assertEquals("02:00:00:00:00:0b", read.lladdr().orElseThrow().toString());

        fx.socket.removeNeighbour(ifindex, v4);
        assertFalse(fx.ip("neigh", "show", "dev", a).contains("192.0.2.9"));
        NetlinkException e = assertThrows(NetlinkException.class, () -> fx.socket.removeNeighbour(ifindex, v4));
        assertEquals(io.splitplane.kernel.sys.Errno.ENOENT, e.errno());
    }

    @Test
    void xdpAttachmentsAndAltNamesAreReported(@TempDir Path dir) {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/clang")), "needs clang to build an XDP program");
        Path source = dir.resolve("pass.bpf.c");
        Path object = dir.resolve("pass.bpf.o");
        try {
            Files.writeString(source, """
                    #include <linux/bpf.h>
                    __attribute__((section("xdp"), used)) int pass(struct xdp_md *ctx) { return XDP_PASS; }
                    __attribute__((section("license"), used)) char _license[] = "GPL";
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Shell.run("clang", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", source.toString(),
                "-o", object.toString());
        String a = fx.name("a");
        String b = fx.name("b");
        String alt = fx.name("alt");
        fx.socket.createVeth(a, b);
        fx.ip("link", "set", a, "xdpgeneric", "obj", object.toString(), "sec", "xdp");
        fx.ip("link", "set", b, "xdpdrv", "obj", object.toString(), "sec", "xdp");
        fx.ip("link", "property", "add", "dev", a, "altname", alt);

        List<JsonNode> ip = IpJson.ip(fx.ns, "link", "show");
        Link generic = fx.socket.link(a).orElseThrow();
        assertEquals(XdpAttachMode.SKB, generic.xdp().mode());
        assertEquals(IpJson.only(ip, "ifname", a).get("xdp").get("prog").get("id").asInt(), generic.xdp().programId());
        assertEquals(generic.xdp().programId(), generic.xdp().genericProgramId());
        assertEquals(List.of(alt), generic.altNames());
        assertEquals(a, fx.socket.link(alt).orElseThrow().name(), "the kernel also finds a link by alt name");
        Link driver = fx.socket.link(b).orElseThrow();
        assertEquals(XdpAttachMode.DRV, driver.xdp().mode());
        assertEquals(IpJson.only(ip, "ifname", b).get("xdp").get("prog").get("id").asInt(), driver.xdp().programId());
        assertEquals(driver.xdp().programId(), driver.xdp().driverProgramId());

        fx.ip("link", "set", a, "xdpgeneric", "off");
        assertEquals(XdpState.NONE, fx.socket.link(a).orElseThrow().xdp());
    }

    @Test
    void parentDeviceAndBusOfPhysicalNicsMatchIp() {
        // Read-only look at the test's own namespace, where real NICs are; other tests may add and
        // remove links meanwhile, so only links present in both views are compared.
        try (RtnetlinkSocket here = RtnetlinkSocket.open()) {
            Map<String, Link> links = here.links().stream().collect(Collectors.toMap(Link::name, Function.identity()));
            for (JsonNode n : IpJson.ipHere("-d", "link", "show")) {
                Link link = links.get(n.get("ifname").asText());
                if (link == null) {
                    continue;
                }
                assertEquals(n.path("parentdev").asText(""), link.parentDeviceName().orElse(""), link.name());
                assertEquals(n.path("parentbus").asText(""), link.parentBusName().orElse(""), link.name());
            }
        }
    }

    @Test
    void linkLookupByNameAndIndex() {
        String a = fx.name("a");
        int index = fx.vethUp(a, fx.name("b"));

        assertEquals(a, fx.socket.link(index).orElseThrow().name());
        assertEquals(index, fx.socket.link(a).orElseThrow().index());
        assertEquals(Optional.empty(), fx.socket.link(fx.name("none")));
        assertEquals(Optional.empty(), fx.socket.link(987654));
        NetlinkException e = assertThrows(NetlinkException.class, () -> fx.socket.ifindex(fx.name("none")));
        assertEquals(Errno.ENODEV, e.errno());
    }

    @Test
    void addressDumpMatchesIp() {
        String a = fx.name("a");
        int index = fx.vethUp(a, fx.name("b"));
        fx.ip("addr", "add", "10.1.0.1/24", "dev", a);
        fx.ip("addr", "add", "10.1.0.7/24", "dev", a); // secondary
        fx.ip("addr", "add", "fd01::1/64", "dev", a, "nodad");

        List<Address> mine = fx.socket.addresses().stream().filter(x -> x.ifindex() == index).toList();
        List<JsonNode> ip = IpJson.ip(fx.ns, "addr", "show", "dev", a).get(0).get("addr_info").findParents("local");

        assertEquals(ip.size(), mine.size(), () -> mine + " vs " + ip);
        for (JsonNode n : ip) {
            Address address = mine.stream().filter(x -> x.address().equals(addr(n.get("local").asText())))
                    .findFirst().orElseThrow(() -> new AssertionError("missing " + n));
            assertEquals(n.get("prefixlen").asInt(), address.prefixLength());
            assertEquals(n.get("family").asText().equals("inet") ? AddressFamily.INET : AddressFamily.INET6,
                    address.family());
            assertEquals(n.path("secondary").asBoolean(false), address.isSecondary(), address.toString());
            if (address.family() == AddressFamily.INET) {
                assertEquals(Optional.of(a), address.label());
            }
        }
        assertEquals(2, fx.socket.addresses(AddressFamily.INET).stream().filter(x -> x.ifindex() == index).count());
    }

    @Test
    void mainTableRouteDumpMatchesIpAndFullDumpIncludesLocalTable() {
        String a = fx.name("a");
        int index = fx.vethUp(a, fx.name("b"));
        fx.ip("addr", "add", "10.1.0.1/24", "dev", a);
        fx.ip("route", "add", "10.70.0.0/24", "via", "10.1.0.2", "metric", "100", "proto", "static");
        fx.ip("route", "add", "default", "via", "10.1.0.254");
        fx.ip("route", "add", "blackhole", "10.80.0.0/16");
        fx.ip("route", "add", "10.90.0.0/24", "via", "10.1.0.3", "table", "100");

        List<Route> main = fx.socket.routes(AddressFamily.INET, Route.TABLE_MAIN);
        List<JsonNode> ip = IpJson.ip(fx.ns, "-4", "route", "show", "table", "main");

        assertEquals(ip.size(), main.size(), () -> main + " vs " + ip);
        for (JsonNode n : ip) {
            String dst = n.get("dst").asText();
            String prefix = dst.equals("default") ? "0.0.0.0/0" : dst;
            Route route = main.stream().filter(r -> r.prefix().equals(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("missing " + n));
            assertEquals(n.path("gateway").asText(""), route.gateway().map(x -> x.getHostAddress()).orElse(""));
            assertEquals(n.path("metric").asInt(0), route.priority());
            if (n.has("dev")) {
                assertEquals(index, route.oif());
            }
        }
        Route r70 = main.stream().filter(r -> r.prefix().equals("10.70.0.0/24")).findFirst().orElseThrow();
        assertEquals(Route.PROTOCOL_STATIC, r70.protocol());
        assertEquals(RouteType.UNICAST, r70.type());
        Route blackhole = main.stream().filter(r -> r.prefix().equals("10.80.0.0/16")).findFirst().orElseThrow();
        assertEquals(RouteType.BLACKHOLE, blackhole.type());
        Route connected = main.stream().filter(r -> r.prefix().equals("10.1.0.0/24")).findFirst().orElseThrow();
        assertEquals(Route.SCOPE_LINK, connected.scope());
        assertEquals(Optional.of(addr("10.1.0.1")), connected.prefsrc());
        assertEquals(Route.PROTOCOL_KERNEL, connected.protocol());

        List<Route> table100 = fx.socket.routes(AddressFamily.INET, 100);
        assertEquals(List.of("10.90.0.0/24"), table100.stream().map(Route::prefix).toList());

        List<Route> all = fx.socket.routes();
        assertTrue(all.stream().anyMatch(r -> r.table() == Route.TABLE_LOCAL && r.type() == RouteType.LOCAL
                && r.dst().equals(addr("10.1.0.1"))), "the unfiltered dump includes the local table");
        assertTrue(all.stream().anyMatch(r -> r.table() == 100));
        assertTrue(all.stream().anyMatch(r -> r.family() == AddressFamily.INET6));
    }

    @Test
    void neighbourDumpMatchesIp() {
        String a = fx.name("a");
        int index = fx.vethUp(a, fx.name("b"));
        fx.ip("addr", "add", "10.1.0.1/24", "dev", a);
        fx.ip("neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", a, "nud", "permanent");
        fx.ip("neigh", "add", "10.1.0.10", "lladdr", "02:00:00:00:00:0a", "dev", a, "nud", "stale");
        fx.ip("neigh", "add", "fd01::9", "lladdr", "02:00:00:00:00:19", "dev", a, "nud", "reachable");

        // The kernel adds NOARP entries of its own (IPv6 multicast, ff02::16 for MLD) whenever it gets
        // to it after the link comes up, so the two dumps, made one after the other, leave them out.
        List<Neighbour> mine = fx.socket.neighbours().stream()
                .filter(n -> n.ifindex() == index && n.state() != Neighbour.NUD_NOARP).toList();
        List<JsonNode> ip = IpJson.ip(fx.ns, "neigh", "show", "dev", a, "nud", "all").stream()
                .filter(n -> !n.path("state").toString().contains("NOARP")).toList();

        assertEquals(ip.size(), mine.size(), () -> mine + " vs " + ip);
        for (JsonNode n : ip) {
            Neighbour neighbour = mine.stream().filter(x -> x.address().equals(addr(n.get("dst").asText())))
                    .findFirst().orElseThrow(() -> new AssertionError("missing " + n));
            assertEquals(n.path("lladdr").asText(""), neighbour.lladdr().map(MacAddress::toString).orElse(""));
        }
        Neighbour permanent = byAddress(mine, "10.1.0.9");
        assertEquals(Neighbour.NUD_PERMANENT, permanent.state());
        assertTrue(permanent.isUsable());
        assertEquals(Neighbour.NUD_STALE, byAddress(mine, "10.1.0.10").state());
        assertTrue(byAddress(mine, "10.1.0.10").isUsable(), "STALE still forwards");
        assertEquals(AddressFamily.INET6, byAddress(mine, "fd01::9").family());
        List<Neighbour> v6 = fx.socket.neighbours(AddressFamily.INET6);
        assertTrue(v6.stream().allMatch(n -> n.family() == AddressFamily.INET6), v6.toString());
        assertTrue(v6.stream().anyMatch(n -> n.address().equals(addr("fd01::9"))), v6.toString());
    }

    private static Neighbour byAddress(List<Neighbour> neighbours, String address) {
        return neighbours.stream().filter(n -> n.address().equals(addr(address))).findFirst().orElseThrow();
    }

    // ---- changes through the API, checked with ip ----------------------------------------------

    @Test
    void createdVethIsVisibleToIpAndDeletedWithBothEnds() {
        String a = fx.name("a");
        String b = fx.name("b");

        fx.socket.createVeth(a, b);

        JsonNode link = IpJson.ip(fx.ns, "-d", "link", "show", a).get(0);
        assertEquals("veth", link.get("linkinfo").get("info_kind").asText());
        assertEquals(b, link.get("link").asText());
        Link peer = fx.socket.link(b).orElseThrow();
        assertEquals(Optional.of("veth"), peer.kind());
        assertFalse(peer.isUp(), "the kernel creates links down");

        fx.socket.deleteLink(fx.socket.ifindex(a));

        assertEquals(Optional.empty(), fx.socket.link(a));
        assertEquals(Optional.empty(), fx.socket.link(b));
        NetlinkException again = assertThrows(NetlinkException.class, () -> fx.socket.createVeth(a, "lo"));
        assertEquals(Errno.EEXIST, again.errno(), again.getMessage());
    }

    @Test
    void vethPeerCanBeCreatedDirectlyInAnotherNamespace() {
        String other = fx.network.namespace("o");
        String a = fx.name("a");
        String b = fx.name("b");
        try (NetNamespace otherNs = NetNamespace.open(other)) {
            fx.socket.createVeth(a, b, otherNs);
        }

        assertTrue(fx.socket.link(a).isPresent());
        assertEquals(Optional.empty(), fx.socket.link(b));
        assertEquals(b, IpJson.ip(other, "link", "show", b).get(0).get("ifname").asText());
        assertTrue(fx.socket.link(a).orElseThrow().linkNetnsId().isPresent(), "peer is in another namespace");
    }

    @Test
    void renameUpDownMtuAndAliasAreVisibleToIp() {
        String a = fx.name("a");
        String renamed = fx.name("r");
        fx.socket.createVeth(a, fx.name("b"));
        int index = fx.socket.ifindex(a);

        fx.socket.rename(index, renamed);
        fx.socket.setMtu(index, 1280);
        fx.socket.setAlias(index, "host side of pod x");
        fx.socket.setUp(index, true);

        JsonNode link = IpJson.ip(fx.ns, "link", "show", renamed).get(0);
        assertEquals(index, link.get("ifindex").asInt());
        assertEquals(1280, link.get("mtu").asInt());
        assertTrue(hasFlag(link, "UP"));
        assertEquals("host side of pod x", link.path("ifalias").asText());
        Link read = fx.socket.link(index).orElseThrow();
        assertEquals(renamed, read.name());
        assertEquals(Optional.of("host side of pod x"), read.alias());
        assertTrue(read.isUp());

        fx.socket.setUp(index, false);
        assertFalse(hasFlag(IpJson.ip(fx.ns, "link", "show", renamed).get(0), "UP"));
        assertFalse(fx.socket.link(index).orElseThrow().isUp());
    }

    @Test
    void mtuOutOfTheDeviceRangeCarriesTheKernelsReason() {
        int index = fx.vethUp(fx.name("a"), fx.name("b"));

        NetlinkException e = assertThrows(NetlinkException.class, () -> fx.socket.setMtu(index, 10));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.extAckMessage().isPresent(), e.getMessage());
        assertTrue(e.getMessage().contains(e.extAckMessage().get()), e.getMessage());
    }

    @Test
    void linkMovesIntoAnotherNamespaceByFdAndBack() {
        String other = fx.network.namespace("o");
        String a = fx.name("a");
        fx.socket.createVeth(a, fx.name("b"));
        int index = fx.socket.ifindex(a);

        try (NetNamespace otherNs = NetNamespace.open(other);
             RtnetlinkSocket otherSocket = RtnetlinkSocket.open(otherNs)) {
            fx.socket.moveToNamespace(index, otherNs);

            assertEquals(Optional.empty(), fx.socket.link(a));
            assertEquals(a, IpJson.ip(other, "link", "show", a).get(0).get("ifname").asText());
            int movedIndex = otherSocket.ifindex(a);

            otherSocket.moveToNamespace(movedIndex, fx.handle);

            assertEquals(Optional.empty(), otherSocket.link(a));
        }
        assertTrue(fx.socket.link(a).isPresent());
        assertEquals(a, IpJson.ip(fx.ns, "link", "show", a).get(0).get("ifname").asText());
    }

    @Test
    void addressesAddedAndRemovedAreVisibleToIp() {
        String a = fx.name("a");
        int index = fx.vethUp(a, fx.name("b"));

        fx.socket.addAddress(index, addr("10.2.0.1"), 24);
        fx.socket.addAddress(index, addr("fd02::1"), 64);

        List<String> locals = IpJson.ip(fx.ns, "addr", "show", "dev", a).get(0).get("addr_info")
                .findValuesAsText("local");
        assertTrue(locals.contains("10.2.0.1"), locals.toString());
        assertTrue(locals.contains("fd02::1"), locals.toString());
        NetlinkException duplicate = assertThrows(NetlinkException.class,
                () -> fx.socket.addAddress(index, addr("10.2.0.1"), 24));
        assertEquals(Errno.EEXIST, duplicate.errno());

        fx.socket.removeAddress(index, addr("10.2.0.1"), 24);
        fx.socket.removeAddress(index, addr("fd02::1"), 64);

        List<String> after = IpJson.ip(fx.ns, "addr", "show", "dev", a).get(0).get("addr_info")
                .findValuesAsText("local");
        assertFalse(after.contains("10.2.0.1"), after.toString());
        assertFalse(after.contains("fd02::1"), after.toString());
        NetlinkException missing = assertThrows(NetlinkException.class,
                () -> fx.socket.removeAddress(index, addr("10.2.0.1"), 24));
        assertEquals(Errno.EADDRNOTAVAIL, missing.errno());
    }

    @Test
    void routesAddedReplacedAndRemovedAreVisibleToIp() {
        String a = fx.name("a");
        int index = fx.vethUp(a, fx.name("b"));
        fx.socket.addAddress(index, addr("10.1.0.1"), 24);
        fx.socket.addAddress(index, addr("fd01::1"), 64);

        fx.socket.addRoute(Route.via(addr("10.40.0.0"), 16, addr("10.1.0.2"), index).withPriority(10));
        fx.socket.addRoute(Route.via(addr("fd40::"), 48, addr("fd01::2"), index));
        fx.socket.addRoute(Route.device(addr("10.41.0.0"), 24, index));
        fx.socket.addRoute(Route.ofType(RouteType.UNREACHABLE, addr("10.42.0.0"), 24));

        JsonNode r40 = IpJson.only(IpJson.ip(fx.ns, "route", "show"), "dst", "10.40.0.0/16");
        assertEquals("10.1.0.2", r40.get("gateway").asText());
        assertEquals(a, r40.get("dev").asText());
        assertEquals(10, r40.get("metric").asInt());
        assertEquals("static", r40.get("protocol").asText());
        assertEquals("fd01::2", IpJson.only(IpJson.ip(fx.ns, "-6", "route", "show"), "dst", "fd40::/48")
                .get("gateway").asText());
        assertEquals("link", IpJson.only(IpJson.ip(fx.ns, "route", "show"), "dst", "10.41.0.0/24")
                .get("scope").asText());
        assertEquals("unreachable", IpJson.only(IpJson.ip(fx.ns, "route", "show"), "dst", "10.42.0.0/24")
                .get("type").asText());

        NetlinkException exists = assertThrows(NetlinkException.class,
                () -> fx.socket.addRoute(Route.via(addr("10.40.0.0"), 16, addr("10.1.0.3"), index).withPriority(10)));
        assertEquals(Errno.EEXIST, exists.errno());
        assertTrue(exists.getMessage().startsWith("RTM_NEWROUTE failed: EEXIST (File exists)"), exists.getMessage());

        fx.socket.replaceRoute(Route.via(addr("10.40.0.0"), 16, addr("10.1.0.3"), index).withPriority(10));
        assertEquals("10.1.0.3", IpJson.only(IpJson.ip(fx.ns, "route", "show"), "dst", "10.40.0.0/16")
                .get("gateway").asText());

        // A route read back from a dump removes itself.
        Route dumped = fx.socket.routes(AddressFamily.INET, Route.TABLE_MAIN).stream()
                .filter(r -> r.prefix().equals("10.40.0.0/16")).findFirst().orElseThrow();
        fx.socket.removeRoute(dumped);
        fx.socket.removeRoute(Route.via(addr("fd40::"), 48, addr("fd01::2"), index));

        assertTrue(IpJson.ip(fx.ns, "route", "show", "10.40.0.0/16").isEmpty());
        assertTrue(IpJson.ip(fx.ns, "-6", "route", "show", "fd40::/48").isEmpty());
        NetlinkException gone = assertThrows(NetlinkException.class, () -> fx.socket.removeRoute(dumped));
        assertEquals(Errno.ESRCH, gone.errno());
    }

    @Test
    void badRouteRequestCarriesExtendedAckText() {
        int index = fx.vethUp(fx.name("a"), fx.name("b"));
        fx.socket.addAddress(index, addr("10.1.0.1"), 24);

        NetlinkException e = assertThrows(NetlinkException.class,
                () -> fx.socket.addRoute(Route.via(addr("10.9.0.0"), 24, addr("192.0.2.99"))));

        assertEquals(Errno.ENETUNREACH, e.errno());
        assertEquals("RTM_NEWROUTE", e.requestName());
        assertTrue(e.extAckMessage().isPresent(), e.getMessage());
        assertTrue(e.getMessage().startsWith("RTM_NEWROUTE failed: ENETUNREACH (Network is unreachable): "
                + e.extAckMessage().get()), e.getMessage());
        assertTrue(e.getMessage().contains("10.9.0.0/24"), e.getMessage());
    }

    // ---- bad input and lifecycle ---------------------------------------------------------------

    @Test
    void invalidInterfaceNamesFailBeforeAnySyscall() {
        int index = fx.vethUp(fx.name("a"), fx.name("b"));
        for (String bad : List.of("", "abcdefghijklmnop", "a/b", "a b", "a:b")) {
            assertThrows(IllegalArgumentException.class, () -> fx.socket.link(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> fx.socket.createVeth(bad, fx.name("p")), bad);
            assertThrows(IllegalArgumentException.class, () -> fx.socket.createVeth(fx.name("p"), bad), bad);
            assertThrows(IllegalArgumentException.class, () -> fx.socket.rename(index, bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> fx.socket.createVeth("same", "same"));
        assertThrows(IllegalArgumentException.class, () -> fx.socket.link(0));
        assertThrows(IllegalArgumentException.class, () -> fx.socket.setMtu(-1, 1500));
        assertThrows(IllegalArgumentException.class, () -> fx.socket.setMtu(index, 0));
        assertThrows(IllegalArgumentException.class, () -> fx.socket.addAddress(index, addr("10.0.0.1"), 33));
        assertThrows(IllegalArgumentException.class, () -> fx.socket.removeNexthop(0));
    }

    @Test
    void unknownIfindexIsEnodev() {
        for (Runnable change : List.<Runnable>of(
                () -> fx.socket.setMtu(999999, 1500),
                () -> fx.socket.setUp(999999, true),
                () -> fx.socket.rename(999999, "x"),
                () -> fx.socket.deleteLink(999999),
                () -> fx.socket.moveToNamespace(999999, fx.handle))) {
            NetlinkException e = assertThrows(NetlinkException.class, change::run);
            assertEquals(Errno.ENODEV, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("ifindex=999999"), e.getMessage());
        }
    }

    @Test
    void missingOrClosedNamespacesGiveClearExceptions() {
        assertThrows(NamespaceNotFoundException.class, () -> NetNamespace.open(fx.name("missing")));

        NetNamespace closed = NetNamespace.open(fx.ns);
        closed.close();
        assertThrows(IllegalStateException.class, () -> RtnetlinkSocket.open(closed));
        assertThrows(IllegalStateException.class, () -> RtnetlinkSubscription.open(closed, RtnetlinkGroup.all()));
        int index = fx.vethUp(fx.name("a"), fx.name("b"));
        assertThrows(IllegalStateException.class, () -> fx.socket.moveToNamespace(index, closed));
        assertThrows(IllegalStateException.class, () -> fx.socket.createVeth(fx.name("c"), fx.name("d"), closed));
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseThrows() {
        RtnetlinkSocket socket = RtnetlinkSocket.open(fx.handle);
        assertFalse(socket.links().isEmpty());

        socket.close();
        socket.close();

        IllegalStateException e = assertThrows(IllegalStateException.class, socket::links);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> socket.setUp(1, true));
        assertThrows(IllegalStateException.class, () -> socket.link("lo"));
    }

    static boolean hasFlag(JsonNode link, String flag) {
        for (JsonNode f : link.path("flags")) {
            if (f.asText().equals(flag)) {
                return true;
            }
        }
        return false;
    }
}
