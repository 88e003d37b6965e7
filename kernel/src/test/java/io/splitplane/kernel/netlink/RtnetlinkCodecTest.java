package io.splitplane.kernel.netlink;

import static io.splitplane.kernel.netlink.NetlinkFixture.addr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Encoding and decoding without a kernel: round trips, wire details, damaged input, validation. */
class RtnetlinkCodecTest {
    private final MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);
    private final MessageWriter writer = new MessageWriter(buffer);

    private NetlinkMessage encoded() {
        NetlinkMessage m = new NetlinkMessage().wrap(writer.finish(1));
        assertTrue(m.next());
        return m;
    }

    @Test
    void multipathRouteSurvivesEncodeAndDecode() {
        Route route = Route.multipath(addr("10.60.0.0"), 24, List.of(
                        Route.Hop.via(addr("10.1.0.2"), 3, 1), Route.Hop.via(addr("10.1.0.3"), 4, 3)))
                .withTable(1000).withPriority(50).withPrefsrc(addr("10.1.0.1"));

        RtnetlinkEncoder.route(writer, Rtm.NEWROUTE, Netlink.NLM_F_CREATE, route);

        assertEquals(route, RtnetlinkDecoder.route(encoded()));
    }

    @Test
    void ipv4RouteViaIpv6GatewayUsesRtaVia() {
        Route route = Route.via(addr("10.8.0.0"), 16, addr("fe80::1"), 3);

        RtnetlinkEncoder.route(writer, Rtm.NEWROUTE, Netlink.NLM_F_CREATE, route);
        NetlinkMessage m = encoded();

        Attributes a = m.attributes(RtMsgLayout.SIZE, Rta.MAX);
        assertFalse(a.has(Rta.GATEWAY));
        assertEquals(18, a.length(Rta.VIA), "u16 family + 16 address bytes");
        assertEquals(route, RtnetlinkDecoder.route(m));
    }

    @Test
    void defaultRouteOmitsRtaDstAndDecodesToTheZeroAddress() {
        Route route = Route.via(addr("::"), 0, addr("fd00::1"), 2).withPriority(1024);

        RtnetlinkEncoder.route(writer, Rtm.NEWROUTE, Netlink.NLM_F_CREATE, route);
        NetlinkMessage m = encoded();

        assertFalse(m.attributes(RtMsgLayout.SIZE, Rta.MAX).has(Rta.DST));
        Route decoded = RtnetlinkDecoder.route(m);
        assertEquals(route, decoded);
        assertTrue(decoded.isDefault());
    }

    @Test
    void removalLeavesProtocolAndScopeOpenLikeIpRouteDel() {
        RtnetlinkEncoder.route(writer, Rtm.DELROUTE, 0, Route.via(addr("10.0.0.0"), 8, addr("10.1.0.2")));
        NetlinkMessage m = encoded();

        assertEquals(Route.PROTOCOL_UNSPEC, Wire.u8(m.segment(), m.payload() + RtMsgLayout.PROTOCOL));
        assertEquals(Route.SCOPE_NOWHERE, Wire.u8(m.segment(), m.payload() + RtMsgLayout.SCOPE));
    }

    @Test
    void tableIdsAboveOneByteGoOnlyInRtaTable() {
        RtnetlinkEncoder.route(writer, Rtm.NEWROUTE, 0, Route.device(addr("10.0.0.0"), 8, 2).withTable(5000));
        NetlinkMessage m = encoded();

        assertEquals(Route.TABLE_UNSPEC, Wire.u8(m.segment(), m.payload() + RtMsgLayout.TABLE));
        assertEquals(5000, m.attributes(RtMsgLayout.SIZE, Rta.MAX).u32(Rta.TABLE, -1));
    }

    @Test
    void nexthopGroupWeightsSurviveIncludingTheHighByte() {
        Nexthop group = Nexthop.group(7, List.of(Nexthop.Member.of(1, 1), Nexthop.Member.of(2, 256),
                Nexthop.Member.of(3, 300)));

        RtnetlinkEncoder.nexthop(writer, Netlink.NLM_F_CREATE, group);

        assertEquals(group, RtnetlinkDecoder.nexthop(encoded()));
    }

    @Test
    void gatewayAndBlackholeNexthopsSurvive() {
        Nexthop via = Nexthop.via(1, addr("fd00::2"), 3).withFlags(Route.RTNH_F_ONLINK);
        RtnetlinkEncoder.nexthop(writer, Netlink.NLM_F_CREATE, via);
        assertEquals(via, RtnetlinkDecoder.nexthop(encoded()));

        Nexthop blackhole = Nexthop.blackhole(2, AddressFamily.INET);
        RtnetlinkEncoder.nexthop(writer, Netlink.NLM_F_CREATE, blackhole);
        assertEquals(blackhole, RtnetlinkDecoder.nexthop(encoded()));
    }

    @Test
    void vethRequestNestsThePeerBehindItsOwnIfinfomsg() {
        RtnetlinkEncoder.veth(writer, "left", "right", 42);
        NetlinkMessage m = encoded();

        Attributes a = m.attributes(IfInfoMsgLayout.SIZE, Ifla.MAX);
        assertEquals(Optional.of("left"), a.string(Ifla.IFNAME));
        Attributes info = a.nested(Ifla.LINKINFO, Ifla.INFO_MAX);
        assertEquals(Optional.of("veth"), info.string(Ifla.INFO_KIND));
        Attributes data = info.nested(Ifla.INFO_DATA, Ifla.INFO_MAX);
        int peer = data.offset(Ifla.VETH_INFO_PEER);
        Attributes peerAttributes = Attributes.parse(m.segment(), peer + IfInfoMsgLayout.SIZE,
                peer + data.length(Ifla.VETH_INFO_PEER), Ifla.MAX);
        assertEquals(Optional.of("right"), peerAttributes.string(Ifla.IFNAME));
        assertEquals(42, peerAttributes.u32(Ifla.NET_NS_FD, -1));
        assertEquals(m.length(), writer.position(), "nested lengths add up to the message");
    }

    @Test
    void damagedAttributeLengthKeepsWhatPrecedesIt() {
        RtnetlinkEncoder.linkGet(writer, "eth0");
        writer.attributeU32(Ifla.MTU, 1500);
        NetlinkMessage m = encoded();
        // The MTU attribute is last; claim it runs past the message.
        int mtuHeader = m.end() - 8;
        Wire.putU16(m.segment(), mtuHeader + NlAttrLayout.LENGTH, 200);

        Attributes a = m.attributes(IfInfoMsgLayout.SIZE, Ifla.MAX);
        assertEquals(Optional.of("eth0"), a.string(Ifla.IFNAME));
        assertFalse(a.has(Ifla.MTU));
    }

    @Test
    void impossibleMessageLengthEndsIteration() {
        byte[] good = Crafted.link(1, 0, 1, "a");
        byte[] bad = Crafted.link(1, 0, 2, "b");
        MemorySegment badSegment = MemorySegment.ofArray(bad);
        Wire.putI32(badSegment, NlMsgHdrLayout.LENGTH, 8); // shorter than a header
        NetlinkMessage m = new NetlinkMessage().wrap(Crafted.datagram(good, bad, Crafted.link(1, 0, 3, "c")));

        assertTrue(m.next());
        assertEquals("a", RtnetlinkDecoder.link(m).name());
        assertFalse(m.next());
    }

    @Test
    void truncatedFamilyHeaderDecodesToNothing() {
        byte[] shortLink = Crafted.message(Rtm.NEWLINK, 0, 1, w -> w.reserve(8));
        NetlinkMessage m = new NetlinkMessage().wrap(Crafted.datagram(shortLink));

        assertTrue(m.next());
        assertEquals(null, RtnetlinkDecoder.link(m));
        assertEquals(null, RtnetlinkDecoder.event(m));
    }

    @Test
    void ipv4MappedIpv6AddressesStayIpv6() {
        RtnetlinkEncoder.route(writer, Rtm.NEWROUTE, 0, Route.device(addr("::"), 0, 2));
        writer.attributeBytes(Rta.DST, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1});

        Route decoded = RtnetlinkDecoder.route(encoded());
        assertNotNull(decoded);
        assertEquals(AddressFamily.INET6, AddressFamily.of(decoded.dst()));
    }

    // ---- validation ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"eth0", "a", "veth-1.2_x", "abcdefghijklmno"})
    void validInterfaceNamesPass(String name) {
        assertEquals(name, InterfaceName.requireValid(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abcdefghijklmnop", "a/b", "a b", "a:b", "a\tb", ".", "..", "caf\u00e9", "a\u0000b"})
    void invalidInterfaceNamesAreRejectedWithTheReason(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InterfaceName.requireValid(name));
        assertTrue(e.getMessage().startsWith("interface name"), e.getMessage());
    }

    @Test
    void nullInterfaceNameIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> InterfaceName.requireValid(null));
    }

    @Test
    void routeRecordsRejectInconsistentValues() {
        assertThrows(IllegalArgumentException.class, () -> Route.to(addr("10.0.0.0"), 33));
        assertThrows(IllegalArgumentException.class, () -> Route.to(addr("::"), 129));
        assertThrows(IllegalArgumentException.class,
                () -> new Route(AddressFamily.INET6, 254, addr("10.0.0.0"), 8, RouteType.UNICAST, 4, 0, 0,
                        Optional.empty(), 0, Optional.empty(), 0, List.of(), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Route.Hop.via(addr("10.0.0.1"), 2, 0));
        assertThrows(IllegalArgumentException.class, () -> Route.Hop.via(addr("10.0.0.1"), 2, 257));
        assertThrows(IllegalArgumentException.class, () -> Route.multipath(addr("10.0.0.0"), 8, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Nexthop.via(0, addr("10.0.0.1"), 2));
        assertThrows(IllegalArgumentException.class, () -> Nexthop.Member.of(1, 65537));
        assertThrows(IllegalArgumentException.class, () -> Nexthop.group(5, List.of()));
    }

    @Test
    void routeCanonicalFormIsDetected() {
        assertTrue(Route.to(addr("10.1.0.0"), 16).isCanonical());
        assertFalse(Route.to(addr("10.1.0.1"), 16).isCanonical());
        assertTrue(Route.to(addr("fd00:1::"), 32).isCanonical());
    }

    @Test
    void macAddressParsesAndPrints() {
        MacAddress mac = MacAddress.parse("02:AB:cd:00:00:09");
        assertEquals("02:ab:cd:00:00:09", mac.toString());
        assertEquals(mac, MacAddress.of(mac.bytes()));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:ab:cd"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("zz:ab:cd:00:00:09"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[4]));
    }

    @Test
    void requestTooLargeForTheBufferIsACallerError() {
        MessageWriter small = new MessageWriter(MemorySegment.ofArray(new byte[64]));
        small.begin(Rtm.NEWLINK, 0);
        small.reserve(IfInfoMsgLayout.SIZE);
        assertThrows(IllegalArgumentException.class, () -> small.attributeString(Ifla.IFALIAS, "x".repeat(100)));
    }
}
