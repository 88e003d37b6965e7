package io.splitplane.kernel.netlink;

import static io.splitplane.kernel.netlink.NetlinkFixture.addr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.netlink.RtnetlinkEvent.AddressAdded;
import io.splitplane.kernel.netlink.RtnetlinkEvent.AddressRemoved;
import io.splitplane.kernel.netlink.RtnetlinkEvent.LinkChanged;
import io.splitplane.kernel.netlink.RtnetlinkEvent.LinkRemoved;
import io.splitplane.kernel.netlink.RtnetlinkEvent.NeighbourChanged;
import io.splitplane.kernel.netlink.RtnetlinkEvent.NeighbourRemoved;
import io.splitplane.kernel.netlink.RtnetlinkEvent.NexthopAdded;
import io.splitplane.kernel.netlink.RtnetlinkEvent.NexthopRemoved;
import io.splitplane.kernel.netlink.RtnetlinkEvent.RouteAdded;
import io.splitplane.kernel.netlink.RtnetlinkEvent.RouteRemoved;
import io.splitplane.kernel.netns.NetNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Notifications for changes made with {@code ip}, and ENOBUFS reported as a resync signal. */
class RtnetlinkSubscriptionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private NetlinkFixture fx;
    private final List<RtnetlinkEvent> events = new ArrayList<>();
    private int resyncs;
    private final RtnetlinkListener recorder = new RtnetlinkListener() {
        @Override
        public void onEvent(RtnetlinkEvent event) {
            events.add(event);
        }

        @Override
        public void onResyncNeeded() {
            resyncs++;
        }
    };

    @BeforeEach
    void setUp() {
        fx = new NetlinkFixture();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    /** Polls until an event matching {@code wanted} has arrived, or fails after {@link #WAIT}. */
    private <T extends RtnetlinkEvent> T await(RtnetlinkSubscription subscription, Class<T> kind, Predicate<T> wanted) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int seen = 0;
        while (true) {
            for (; seen < events.size(); seen++) {
                RtnetlinkEvent e = events.get(seen);
                if (kind.isInstance(e) && wanted.test(kind.cast(e))) {
                    return kind.cast(e);
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no " + kind.getSimpleName() + " matching within " + WAIT + "; got " + events);
            }
            subscription.poll(recorder, Duration.ofMillis(100));
        }
    }

    @Test
    void eachKindOfChangeMadeWithIpArrivesAsAnEvent() {
        String a = fx.name("a");
        String b = fx.name("b");
        try (RtnetlinkSubscription sub = RtnetlinkSubscription.open(fx.handle, RtnetlinkGroup.all())) {
            fx.ip("link", "add", a, "type", "veth", "peer", "name", b);
            LinkChanged created = await(sub, LinkChanged.class, e -> e.link().name().equals(a));
            int index = created.link().index();
            assertEquals(Set.of("veth"), Set.of(created.link().kind().orElseThrow()));

            fx.ip("link", "set", a, "up");
            fx.ip("link", "set", b, "up");
            await(sub, LinkChanged.class, e -> e.link().index() == index && e.link().isUp());

            fx.ip("addr", "add", "10.1.0.1/24", "dev", a);
            Address address = await(sub, AddressAdded.class, e -> e.address().ifindex() == index).address();
            assertEquals(addr("10.1.0.1"), address.address());
            assertEquals(24, address.prefixLength());

            fx.ip("addr", "add", "fd01::1/64", "dev", a, "nodad");
            await(sub, AddressAdded.class, e -> e.address().address().equals(addr("fd01::1")));

            fx.ip("route", "add", "10.30.0.0/24", "via", "10.1.0.2");
            Route route = await(sub, RouteAdded.class, e -> e.route().prefix().equals("10.30.0.0/24")).route();
            assertEquals(addr("10.1.0.2"), route.gateway().orElseThrow());
            assertEquals(Route.TABLE_MAIN, route.table());

            fx.ip("nexthop", "add", "id", "7", "via", "10.1.0.3", "dev", a);
            assertEquals(index, await(sub, NexthopAdded.class, e -> e.nexthop().id() == 7).nexthop().ifindex());
            fx.ip("route", "add", "10.31.0.0/24", "nhid", "7");
            assertEquals(7, await(sub, RouteAdded.class, e -> e.route().prefix().equals("10.31.0.0/24"))
                    .route().nexthopId());

            fx.ip("neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", a, "nud", "permanent");
            Neighbour neighbour = await(sub, NeighbourChanged.class,
                    e -> e.neighbour().address().equals(addr("10.1.0.9"))).neighbour();
            assertEquals(MacAddress.parse("02:00:00:00:00:09"), neighbour.lladdr().orElseThrow());
            assertTrue(neighbour.isUsable());

            fx.ip("neigh", "del", "10.1.0.9", "dev", a);
            await(sub, NeighbourRemoved.class, e -> e.neighbour().address().equals(addr("10.1.0.9")));
            fx.ip("route", "del", "10.30.0.0/24");
            await(sub, RouteRemoved.class, e -> e.route().prefix().equals("10.30.0.0/24"));
            fx.ip("nexthop", "del", "id", "7");
            await(sub, NexthopRemoved.class, e -> e.nexthop().id() == 7);
            fx.ip("addr", "del", "10.1.0.1/24", "dev", a);
            await(sub, AddressRemoved.class, e -> e.address().address().equals(addr("10.1.0.1")));
            fx.ip("link", "del", a);
            await(sub, LinkRemoved.class, e -> e.link().index() == index);
        }
        assertEquals(0, resyncs);
    }

    @Test
    void linkMovedToAnotherNamespaceIsRemovedHereAndAppearsThere() {
        String other = fx.network.namespace("o");
        String a = fx.name("a");
        fx.socket.createVeth(a, fx.name("b"));
        int index = fx.socket.ifindex(a);
        try (NetNamespace otherNs = NetNamespace.open(other);
             RtnetlinkSubscription here = RtnetlinkSubscription.open(fx.handle, Set.of(RtnetlinkGroup.LINK));
             RtnetlinkSubscription there = RtnetlinkSubscription.open(otherNs, Set.of(RtnetlinkGroup.LINK))) {
            fx.socket.moveToNamespace(index, otherNs);

            await(here, LinkRemoved.class, e -> e.link().index() == index);
            await(there, LinkChanged.class, e -> e.link().name().equals(a));
        }
    }

    @Test
    void overflowIsReportedAsResyncAndTheSubscriptionKeepsWorking() {
        int index = fx.vethUp(fx.name("a"), fx.name("b"));
        fx.socket.addAddress(index, addr("10.1.0.1"), 24);
        try (RtnetlinkSubscription sub = RtnetlinkSubscription.open(fx.handle,
                Set.of(RtnetlinkGroup.IPV4_ROUTE), 1)) {
            assertTrue(sub.receiveBufferBytes() < 16 * 1024, "tiny buffer: " + sub.receiveBufferBytes());
            // Far more notifications than the buffer holds, while nobody reads.
            for (int i = 0; i < 300; i++) {
                fx.socket.addRoute(Route.via(addr("10." + (100 + i / 256) + "." + (i % 256) + ".0"), 24, addr("10.1.0.2"), index));
            }

            int callbacks = 0;
            for (int round = 0; round < 20 && resyncs == 0; round++) {
                callbacks += sub.poll(recorder, Duration.ofMillis(100));
            }

            assertTrue(resyncs >= 1, "ENOBUFS must be reported as a resync signal");
            assertTrue(callbacks >= 1);
            assertTrue(events.size() < 300, "some notifications were lost: " + events.size());

            // Still usable: a later change arrives normally.
            while (sub.poll(recorder, Duration.ZERO) > 0) {
                // drain what is left
            }
            fx.ip("route", "add", "10.200.0.0/24", "via", "10.1.0.2");
            await(sub, RouteAdded.class, e -> e.route().prefix().equals("10.200.0.0/24"));
        }
    }

    @Test
    void pollTimesOutQuietlyWhenNothingHappens() {
        try (RtnetlinkSubscription sub = RtnetlinkSubscription.open(fx.handle, Set.of(RtnetlinkGroup.NEXTHOP))) {
            long start = System.nanoTime();
            assertEquals(0, sub.poll(recorder, Duration.ofMillis(50)));
            assertTrue(System.nanoTime() - start >= 40_000_000L, "waited for the timeout");
            assertEquals(0, sub.poll(recorder, Duration.ZERO));
        }
        assertTrue(events.isEmpty());
    }

    @Test
    void listenerFailureDoesNotLoseTheRestOfTheBatch() {
        int index = fx.vethUp(fx.name("a"), fx.name("b"));
        fx.socket.addAddress(index, addr("10.1.0.1"), 24);
        try (RtnetlinkSubscription sub = RtnetlinkSubscription.open(fx.handle, Set.of(RtnetlinkGroup.IPV4_ROUTE))) {
            fx.socket.addRoute(Route.via(addr("10.110.0.0"), 24, addr("10.1.0.2"), index));
            fx.socket.addRoute(Route.via(addr("10.111.0.0"), 24, addr("10.1.0.2"), index));
            IllegalStateException boom = new IllegalStateException("listener bug");
            List<RtnetlinkEvent> seen = new ArrayList<>();
            RtnetlinkListener failing = new RtnetlinkListener() {
                @Override
                public void onEvent(RtnetlinkEvent event) {
                    seen.add(event);
                    if (seen.size() == 1) {
                        throw boom;
                    }
                }

                @Override
                public void onResyncNeeded() {
                }
            };

            assertSame(boom, assertThrows(IllegalStateException.class, () -> sub.poll(failing, WAIT)));
            assertEquals(2, seen.size(), "the second event was still delivered");
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseThrows() {
        RtnetlinkSubscription sub = RtnetlinkSubscription.open(fx.handle, Set.of(RtnetlinkGroup.LINK));
        sub.close();
        sub.close();
        assertThrows(IllegalStateException.class, () -> sub.poll(recorder, Duration.ZERO));
        assertThrows(IllegalStateException.class, sub::receiveBufferBytes);
        assertThrows(IllegalArgumentException.class, () -> RtnetlinkSubscription.open(fx.handle, Set.of()));
        assertFalse(sub.toString().isEmpty());
    }
}
