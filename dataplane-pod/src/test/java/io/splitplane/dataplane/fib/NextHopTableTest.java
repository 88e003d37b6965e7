package io.splitplane.dataplane.fib;

import static io.splitplane.dataplane.fib.Ip4.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Next hops, neighbour binding and the outcomes ip4-rewrite acts on. */
class NextHopTableTest {
    private static final long MAC_A = Adjacency.parseMac("02:00:00:00:00:0a");
    private static final long MAC_B = Adjacency.parseMac("02:00:00:00:00:0b");
    private static final int GW = parse("192.0.2.1");

    private final NextHopTable table = new NextHopTable(1000);

    @Test
    void shouldNeedResolutionUntilTheGatewayIsKnown() {
        table.add(1, NextHop.via(3, GW));
        long adj = table.resolve(1, parse("198.51.100.7"));
        assertEquals(Adjacency.UNRESOLVED, Adjacency.state(adj), "no neighbour yet: punt to the kernel");
        assertEquals(3, Adjacency.port(adj), "the port is known already");

        assertTrue(table.setNeighbour(3, GW, MAC_A));
        adj = table.resolve(1, parse("198.51.100.7"));
        assertEquals(Adjacency.resolved(3, MAC_A), adj);
        assertEquals(adj, table.adjacency(1), "a gateway next hop carries its neighbour's MAC itself");
        assertEquals("resolved port 3 02:00:00:00:00:0a", Adjacency.toString(adj));

        assertFalse(table.setNeighbour(3, GW, MAC_A), "no change");
        assertTrue(table.setNeighbour(3, GW, MAC_B), "the neighbour's MAC changed");
        assertEquals(Adjacency.resolved(3, MAC_B), table.adjacency(1));

        assertTrue(table.removeNeighbour(3, GW), "FAILED / INCOMPLETE / deleted");
        assertEquals(Adjacency.unresolved(3), table.adjacency(1));
        assertFalse(table.removeNeighbour(3, GW));
    }

    @Test
    void shouldResolveThroughANeighbourLearnedBeforeTheNextHop() {
        table.setNeighbour(3, GW, MAC_A);
        table.add(1, NextHop.via(3, GW));
        assertEquals(Adjacency.resolved(3, MAC_A), table.adjacency(1));
    }

    @Test
    void shouldKeyNeighboursByPortAndAddress() {
        table.add(1, NextHop.via(3, GW));
        table.setNeighbour(4, GW, MAC_A);
        assertEquals(Adjacency.UNRESOLVED, Adjacency.state(table.adjacency(1)), "same address on another port");
        assertEquals(MAC_A, table.neighbours().mac(4, GW));
        assertEquals(-1L, table.neighbours().mac(3, GW));
    }

    @Test
    void shouldUpdateEveryNextHopBoundToANeighbour() {
        table.add(1, NextHop.via(3, GW));
        table.add(2, NextHop.via(3, GW));
        table.add(3, NextHop.via(3, parse("192.0.2.2")));
        table.setNeighbour(3, GW, MAC_A);
        assertEquals(Adjacency.resolved(3, MAC_A), table.adjacency(1));
        assertEquals(Adjacency.resolved(3, MAC_A), table.adjacency(2));
        assertEquals(Adjacency.unresolved(3), table.adjacency(3));
    }

    @Test
    void shouldRebindWhenANextHopIsReplaced() {
        final int other = parse("192.0.2.2");
        table.add(1, NextHop.via(3, GW));
        table.setNeighbour(3, GW, MAC_A);
        assertEquals(Optional.of(NextHop.via(3, GW)), table.replace(1, NextHop.via(3, other)));
        assertEquals(Adjacency.unresolved(3), table.adjacency(1));
        table.setNeighbour(3, GW, MAC_B);
        assertEquals(Adjacency.unresolved(3), table.adjacency(1), "no longer bound to the old gateway");
        table.setNeighbour(3, other, MAC_B);
        assertEquals(Adjacency.resolved(3, MAC_B), table.adjacency(1));
    }

    @Test
    void shouldResolveConnectedNextHopsByTheDestination() {
        table.add(5, NextHop.connected(2));
        assertEquals(Adjacency.GLEAN, Adjacency.state(table.adjacency(5)));
        final int host = parse("10.0.0.9");
        assertEquals(Adjacency.unresolved(2), table.resolve(5, host), "no neighbour for the destination");
        table.setNeighbour(2, host, MAC_B);
        assertEquals(Adjacency.resolved(2, MAC_B), table.resolve(5, host));
        assertEquals(Adjacency.unresolved(2), table.resolve(5, parse("10.0.0.10")));
    }

    @Test
    void shouldDropThroughDropAndUnknownNextHops() {
        table.add(6, NextHop.drop());
        assertEquals(Adjacency.DROP, Adjacency.state(table.resolve(6, GW)));
        assertEquals(Adjacency.INVALID, Adjacency.state(table.resolve(7, GW)), "never defined");
        assertEquals(Adjacency.INVALID, Adjacency.state(table.resolve(999_999, GW)), "beyond the array");
        assertEquals(Adjacency.INVALID, Adjacency.state(table.resolve(-5, GW)));
        table.add(8, NextHop.via(1, GW));
        assertEquals(Optional.of(NextHop.via(1, GW)), table.remove(8));
        assertEquals(Adjacency.INVALID, Adjacency.state(table.resolve(8, GW)), "removed");
        assertEquals(Optional.empty(), table.remove(8));
        assertEquals(1, table.size());
    }

    @Test
    void shouldGrowAndKeepWords() {
        for (int id = 1; id <= 1000; id++) {
            table.add(id, NextHop.via(id % 4, parse("10.0.0.0") + id));
        }
        table.setNeighbour(999 % 4, parse("10.0.0.0") + 999, MAC_A);
        assertEquals(Adjacency.resolved(999 % 4, MAC_A), table.adjacency(999));
        assertEquals(Adjacency.unresolved(998 % 4), table.adjacency(998));
        assertEquals(1000, table.size());
        assertThrows(IllegalArgumentException.class, () -> table.add(1001, NextHop.drop()));
        assertFalse(table.add(1, NextHop.drop()), "add does not replace");
    }

    @Test
    void shouldRewriteMacsFromThePortAndTheAdjacency() {
        table.setPortMac(3, Adjacency.parseMac("aa:bb:cc:dd:ee:ff"));
        assertEquals(Adjacency.parseMac("aa:bb:cc:dd:ee:ff"), table.portMac(3));
        assertEquals(0L, table.portMac(4));
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment frame = arena.allocate(64);
            frame.set(ValueLayout.JAVA_BYTE, 12, (byte) 0x08);
            Adjacency.writeMacs(frame, 0, Adjacency.resolved(3, MAC_A), table.portMac(3));
            final byte[] bytes = frame.asSlice(0, 14).toArray(ValueLayout.JAVA_BYTE);
            assertEquals("02000000000aaabbccddeeff0800", java.util.HexFormat.of().formatHex(bytes));
        }
    }

    @Test
    void shouldRejectCallerBugs() {
        assertThrows(IllegalArgumentException.class, () -> NextHop.via(Adjacency.MAX_PORTS, GW));
        assertThrows(IllegalArgumentException.class, () -> NextHop.connected(-1));
        assertThrows(IllegalArgumentException.class, () -> new NextHop(NextHop.Type.CONNECTED, 1, GW));
        assertThrows(IllegalArgumentException.class, () -> table.add(0, NextHop.drop()));
        assertThrows(IllegalArgumentException.class, () -> table.setPortMac(Adjacency.MAX_PORTS, 1));
    }

    @Test
    void shouldGrowAndCompactTheNeighbourTable() {
        final NeighbourTable neighbours = new NeighbourTable();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(neighbours.set(i % 7, parse("10.0.0.0") + i, i));
        }
        assertEquals(10_000, neighbours.size());
        final int capacity = neighbours.capacity();
        for (int i = 0; i < 9_900; i++) {
            assertTrue(neighbours.remove(i % 7, parse("10.0.0.0") + i));
        }
        assertEquals(100, neighbours.size());
        assertTrue(neighbours.capacity() < capacity / 4, "compacted, capacity=" + neighbours.capacity());
        for (int i = 0; i < 10_000; i++) {
            final long adj = neighbours.lookup(i % 7, parse("10.0.0.0") + i);
            if (i < 9_900) {
                assertEquals(Adjacency.unresolved(i % 7), adj);
            } else {
                assertEquals(Adjacency.resolved(i % 7, i), adj);
            }
        }
        assertEquals(100, neighbours.entries().size());
        assertTrue(neighbours.rebuilds() > 0);
    }

    @Test
    void shouldReuseIdsOnlyAfterAGracePeriod() {
        final Quiescence quiescence = new Quiescence(2);
        final IdAllocator ids = new IdAllocator(quiescence, 3);
        assertEquals(1, ids.allocate());
        assertEquals(2, ids.allocate());
        try (Quiescence.Reader worker = quiescence.register()) {
            ids.release(1);
            assertEquals(3, ids.allocate(), "1 waits for the worker");
            assertThrows(IllegalStateException.class, ids::allocate);
            worker.quiescent();
            assertEquals(1, ids.allocate());
        }
        assertThrows(IllegalArgumentException.class, () -> ids.release(3 + 1));
    }
}
