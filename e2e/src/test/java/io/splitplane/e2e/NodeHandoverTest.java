package io.splitplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-over when the runtime's second CNI ADD fails: the error says which device and why, and
 * closing gives back what the first ADD took (CNI DEL), stops the device plugin and leaves no pins
 * or sockets, as when a pod's sandbox cannot be set up.
 */
class NodeHandoverTest {
    @Test
    void aFailedAddIsNamedAndTheCloseGivesBackWhatTheFirstOneTook() {
        try (TestNetworkLab lab = new TestNetworkLab()) {
            String node = lab.namespace("node");
            String pod = lab.namespace("pod");
            String peer = lab.namespace("peer");
            Lab.Veth one = lab.veth(node, peer);
            Lab.Veth two = lab.veth(node, peer);
            Path pins = lab.bpffs().resolve("splitplane");
            Path dir = lab.directory("node");
            NodeHandover h = NodeHandover.start(node, "pair", List.of(one.a(), two.a()), dir, pins,
                    new CniRuntime(CniRuntime.defaultLauncher(), node), "pod-1", "/run/netns/" + pod);
            lab.onClose(h::close);
            assertEquals(one.a() + "," + two.a(), h.allocate().env().get("AFXDP_DEVICES_PAIR"));

            h.add(one.a(), "net1", config("10.72.1.1/24", "redirect", pins, dir));
            assertTrue(Commands.ipIn(pod, "-br", "addr", "show", "dev", "net1").contains("10.72.1.1/24"));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> h.add(two.a(), "net2", config("10.72.2.1/24", "teleport", pins, dir)));
            assertTrue(e.getMessage().startsWith("CNI ADD of " + two.a() + " as net2 failed (exit 1): "), e.getMessage());
            assertTrue(e.getMessage().contains("teleport"), "the plugin names the bad value: " + e.getMessage());
            // The refused device never left the node.
            assertTrue(Commands.execIn(node, 10, "ip", "link", "show", "dev", two.a()).ok());

            h.close();
            String link = Commands.ipIn(node, "-d", "link", "show", "dev", one.a());
            assertFalse(link.contains("prog/xdp"), link);
            assertFalse(Commands.execIn(pod, 10, "ip", "link", "show", "dev", "net1").ok(), "net1 is still in the pod");
            assertEquals(List.of(), h.pins());
            assertEquals(List.of(), h.sockets());
        }
    }

    private static String config(String address, String action, Path pins, Path dir) {
        return """
                {"cniVersion": "1.1.0", "name": "pair-net", "type": "splitplane",
                 "ipam": {"type": "static", "addresses": [{"address": "%s"}]},
                 "classifier": {"rules": [{"name": "app", "action": "%s", "protocol": "udp", "dstPorts": "4789"}]},
                 "bpffsRoot": "%s", "stateDir": "%s"}
                """.formatted(address, action, pins, dir.resolve("st"));
    }
}
