package io.splitplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parsing of {@code splitplanectl}'s text, on outputs of the formats the dataplane prints (the
 * scenario test reads the live ones and asserts exact counts through this parser).
 */
class GraphCountersTest {
    private static final String INTERFACES = """
            Id   Name         Netdev           State   MAC                  MTU rx-packets tx-packets      drops  Addresses
            0    net1         net1             up/up   ae:59:32:7d:ff:72   1500          1       6000          0  10.71.1.1/24
            1    net2         net2             up/up   66:d9:68:c6:fd:1d   1500       7001          2          3 \s
            """;
    private static final String RUNTIME = """
            Graph vrouter1-0: 84215 loops
            Name                       Kind          Calls        Vectors          Packets     ns/pkt   pkt/vec
            channel-tx                input          84215             10             2000       0.00      0.00
            port-rx-net2              input          84215          11337           243972     175.13     21.52
            ip4-rewrite                              11338          11338           243973     358.66     21.52
            ip4-local                                    0              0                0       0.00      0.00
            """;
    private static final String ERRORS = """
                     Count  Node/Reason                          Description
                        12  punt/no-channel                      UDP to a local port no channel is bound to
                         3  ip4-input/bad-checksum               IPv4 header checksum wrong
            """;

    @Test
    void readsPortsNodesAndReasons() {
        GraphCounters c = new GraphCounters(GraphCounters.parseInterfaces(INTERFACES),
                GraphCounters.parseRuntime(RUNTIME), GraphCounters.parseErrors(ERRORS), INTERFACES, RUNTIME, ERRORS);
        assertEquals(1, c.rxPackets("net1"));
        assertEquals(6000, c.txPackets("net1"));
        assertEquals(7001, c.rxPackets("net2"));
        assertEquals(3, c.drops("net2"));
        // An input node has the extra Kind word; a plain node does not.
        assertEquals(2000, c.nodePackets("channel-tx"));
        assertEquals(243972, c.nodePackets("port-rx-net2"));
        assertEquals(243973, c.nodePackets("ip4-rewrite"));
        assertEquals(0, c.nodePackets("ip4-local"));
        assertEquals(0, c.nodePackets("not-a-node"));
        assertEquals(15, c.errorCount());
        assertEquals(12, c.error("punt/no-channel"));
    }

    @Test
    void noErrorsIsNothingCounted() {
        assertEquals(Map.of(), GraphCounters.parseErrors("         Count  Node/Reason   Description\n(no errors)\n"));
    }

    @Test
    void anUnknownPortOrAShortLineIsAnErrorNamingIt() {
        GraphCounters c = new GraphCounters(GraphCounters.parseInterfaces(INTERFACES), Map.of(), Map.of(), INTERFACES,
                "", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.rxPackets("net9"));
        assertTrue(e.getMessage().startsWith("no port net9 in show interfaces"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> GraphCounters.parseInterfaces("header\n0 net1 net1\n"));
        assertEquals("unexpected show interfaces line: '0 net1 net1'", s.getMessage());
    }
}
