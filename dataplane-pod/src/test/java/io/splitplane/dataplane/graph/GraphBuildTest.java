package io.splitplane.dataplane.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.graph.Scripted.Hop;
import io.splitplane.dataplane.graph.Scripted.Router;
import io.splitplane.dataplane.graph.Scripted.Source;
import io.splitplane.dataplane.port.MemoryPortPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Building a graph: names resolved once, with clear errors for every mistake. */
class GraphBuildTest {
    private final List<Scripted.Call> log = new ArrayList<>();

    private Hop hop(String name, String... next) {
        List<String> n = new ArrayList<>(List.of(Node.DROP_NODE));
        n.addAll(List.of(next));
        return new Hop(name, n, log, Router.all(Node.CONSUMED));
    }

    @Test
    void anUnknownNextNodeIsAClearErrorNamingNodeEdgeAndTheGraphsNodes() {
        Graph.Builder b = Graph.builder("w0").nodes(hop("eth-input", "ip4-input", "ip4-inptu"), hop("ip4-input"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals("graph 'w0': node 'eth-input' edge 2 names 'ip4-inptu', which is not a node of this graph;"
                + " nodes are [eth-input, ip4-input, drop]", e.getMessage());
    }

    @Test
    void edgesResolveToNodeObjectsAndDropIsAddedWhenMissing() {
        Hop a = hop("a", "b");
        Hop b = hop("b");
        Graph g = Graph.builder("w").nodes(a, b).build();
        assertInstanceOf(DropNode.class, g.node("drop"));
        assertSame(g.node("drop"), a.edges[Node.DROP]);
        assertSame(b, a.edges[1]);
        assertEquals(List.of("a", "b", "drop"), g.nodes().stream().map(Node::name).toList());
        assertEquals(0, a.index());
        assertSame(g, a.graph());
    }

    @Test
    void aNodeNamedDropReplacesTheDefault() {
        Hop myDrop = hop("drop");
        Graph g = Graph.builder("w").nodes(hop("a"), myDrop).build();
        assertSame(myDrop, g.node("drop"));
    }

    @Test
    void structuralMistakesAreRejected() {
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> Graph.builder("w").nodes(hop("a"), hop("a")).build());
        assertTrue(dup.getMessage().contains("two nodes are named 'a'"), dup.getMessage());

        IllegalArgumentException edge0 = assertThrows(IllegalArgumentException.class,
                () -> new Hop("x", List.of("y"), log, Router.all(0)));
        assertTrue(edge0.getMessage().contains("edge 0 must be 'drop'"), edge0.getMessage());

        Source s = new Source("rx", List.of(Node.DROP_NODE), log, Router.all(0));
        IllegalArgumentException toInput = assertThrows(IllegalArgumentException.class,
                () -> Graph.builder("w").nodes(s, hop("a", "rx")).build());
        assertTrue(toInput.getMessage().contains("names input node 'rx'"), toInput.getMessage());

        Hop once = hop("once");
        Graph.builder("first").node(once).build();
        IllegalArgumentException reused = assertThrows(IllegalArgumentException.class,
                () -> Graph.builder("second").node(once));
        assertTrue(reused.getMessage().contains("already belongs to graph 'first'"), reused.getMessage());

        assertThrows(IllegalArgumentException.class, () -> Graph.builder("w").vectorSize(257));
        assertThrows(IllegalArgumentException.class, () -> Graph.builder("w").vectorSize(0));
        IllegalArgumentException badName = assertThrows(IllegalArgumentException.class, () -> hop("Bad Name"));
        assertTrue(badName.getMessage().contains("node name='Bad Name'"), badName.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> new Node("e", List.of("drop"), List.of(NodeError.of("x", "one"), NodeError.of("x", "two"))) {
                    @Override
                    protected int process(PacketVector v, int[] nexts) {
                        return CONSUMED;
                    }
                });
        assertTrue(twice.getMessage().contains("declares error 'x' twice"), twice.getMessage());
    }

    @Test
    void portsOfOneGraphMustShareOnePacketMemory() {
        try (MemoryPortPair one = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"));
             MemoryPortPair other = MemoryPortPair.create(MemoryPortPair.Config.named("c", "d"));
             MemoryPortPair shared = MemoryPortPair.sharing(MemoryPortPair.Config.named("e", "f"), one)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Graph.builder("w")
                    .node(new PortRxNode(one.a(), "port-tx-c")).node(new PortTxNode(other.a())).build());
            assertTrue(e.getMessage().contains("ports 'a' and 'c' use different packet memories"), e.getMessage());

            Graph g = Graph.builder("w").node(new PortRxNode(one.a(), "port-tx-e")).node(new PortTxNode(shared.a()))
                    .build();
            assertEquals(List.of(one.a(), shared.a()), g.ports());
            assertSame(one.memory(), g.memory());
            assertEquals(1, g.portIndex(shared.a()));
        }
    }
}
