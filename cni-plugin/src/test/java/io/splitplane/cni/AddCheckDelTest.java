package io.splitplane.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.kernel.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** ADD, CHECK and DEL round trips, invoked as a runtime invokes the plugin, against real namespaces. */
class AddCheckDelTest {

    @ParameterizedTest
    @ValueSource(strings = {"1.1.0", "1.0.0", "0.4.0"})
    void addMovesTheDeviceInWithAddressesRoutesAndTheClassifierAndDelPutsItBack(String version) {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            String pod = PoolFixture.nsName(netns);
            ObjectNode config = f.config(version, d.device());

            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c1", netns, "net1"), config.toString()).ok();
            JsonNode result = add.json();
            assertEquals(version, result.path("cniVersion").asText());
            JsonNode iface = result.path("interfaces").get(0);
            assertEquals("net1", iface.path("name").asText());
            assertEquals(netns, iface.path("sandbox").asText());
            JsonNode inPod = PoolFixture.link(pod, "net1");
            assertEquals(inPod.path("address").asText(), iface.path("mac").asText());
            assertEquals(version.equals("1.1.0") ? 1400 : 0, iface.path("mtu").asInt(), "mtu only from 1.1.0: " + result);
            JsonNode ip = result.path("ips").get(0);
            assertEquals("10." + f.subnet + ".0.10/24", ip.path("address").asText());
            assertEquals("10." + f.subnet + ".0.1", ip.path("gateway").asText());
            assertEquals(0, ip.path("interface").asInt());
            assertEquals(version.equals("0.4.0"), ip.has("version"), "ips[].version only before 1.0.0: " + result);
            assertEquals("10." + (f.subnet + 1) + ".0.0/16", result.path("routes").get(0).path("dst").asText());

            // The kernel's view: the device is gone from the host and is net1 in the pod, as configured.
            assertNull(PoolFixture.link(null, d.device()), d.device() + " left the host");
            assertEquals(1400, inPod.path("mtu").asInt());
            assertTrue(inPod.path("flags").toString().contains("\"UP\""), inPod.toString());
            assertTrue(inPod.has("xdp"), "the classifier is attached: " + inPod);
            assertEquals("splitplane:" + d.device() + ":c1", inPod.path("ifalias").asText());
            String addrs = Shell.ipIn(pod, "-4", "addr", "show", "dev", "net1");
            assertTrue(addrs.contains("10." + f.subnet + ".0.10/24"), addrs);
            String routes = Shell.ipIn(pod, "route", "show");
            assertTrue(routes.contains("10." + (f.subnet + 1) + ".0.0/16 via 10." + f.subnet + ".0.1 dev net1"), routes);
            Path map = new XskMapPaths(f.bpffs).hostMap(d.device());
            assertTrue(Files.exists(map), "the XSKMAP is pinned where the device plugin mounts it from: " + f.pins());
            assertEquals(List.of("10." + f.subnet + ".0.10"), f.leases());
            assertEquals(List.of("c1@net1.json"), f.states());

            // CHECK against the result: success is an empty answer.
            ObjectNode withPrev = config.deepCopy();
            withPrev.set("prevResult", result);
            CniCall.Answer check = CniCall.run(CniCall.env("CHECK", "c1", netns, "net1"), withPrev.toString()).ok();
            assertEquals("", check.stdout());

            CniCall.Answer del = CniCall.run(CniCall.env("DEL", "c1", netns, "net1"), withPrev.toString()).ok();
            assertEquals("", del.stdout());
            f.assertHome(d);
            assertNull(PoolFixture.link(pod, "net1"));
            assertEquals(List.of(), f.pins(), "no pins left");
            assertEquals(List.of(), f.leases(), "the address is released");
            assertEquals(List.of(), f.states());

            // DEL again: nothing left to do, still success.
            CniCall.run(CniCall.env("DEL", "c1", netns, "net1"), withPrev.toString()).ok();
            f.assertHome(d);
        }
    }

    @Test
    void theDeviceComesFromRuntimeConfigAndTheClassifierAttachesInTheModeAsked() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            ObjectNode config = f.config("1.1.0", null);
            config.put("xdpAttach", "generic");
            config.putObject("runtimeConfig").put("deviceID", d.device());
            CniCall.run(CniCall.env("ADD", "g1", netns, "eth1"), config.toString()).ok();
            JsonNode inPod = PoolFixture.link(PoolFixture.nsName(netns), "eth1");
            assertEquals(2, inPod.path("xdp").path("mode").asInt(), "generic (skb) mode: " + inPod.path("xdp"));
            CniCall.run(CniCall.env("DEL", "g1", netns, "eth1"), config.toString()).ok();
            f.assertHome(d);
        }
    }

    @Test
    void delSucceedsAfterTheNamespaceIsGoneAndCleansPinsLeaseAndState() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            ObjectNode config = f.config("1.1.0", d.device());
            CniCall.run(CniCall.env("ADD", "c2", netns, "net1"), config.toString()).ok();
            Shell.run("ip", "netns", "del", PoolFixture.nsName(netns));
            // A veth dies with its namespace (a physical NIC would come back to the host by itself).
            assertNull(PoolFixture.link(null, d.device()));

            CniCall.run(CniCall.env("DEL", "c2", netns, "net1"), config.toString()).ok();
            assertEquals(List.of(), f.pins());
            assertEquals(List.of(), f.leases());
            assertEquals(List.of(), f.states());
            // And without CNI_NETNS at all (allowed for DEL).
            CniCall.run(CniCall.env("DEL", "c2", null, "net1"), config.toString()).ok();
        }
    }

    @Test
    void delOfAnAttachmentNeverAddedSucceedsAndTouchesNothing() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            CniCall.run(CniCall.env("DEL", "never", netns, "net1"), f.config("1.1.0", d.device()).toString()).ok();
            f.assertHome(d);
        }
    }

    @Test
    void checkReportsWhatChangedSinceAdd() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            String pod = PoolFixture.nsName(netns);
            ObjectNode config = f.config("1.1.0", d.device());
            JsonNode result = CniCall.run(CniCall.env("ADD", "c3", netns, "net1"), config.toString()).ok().json();
            ObjectNode withPrev = config.deepCopy();
            withPrev.set("prevResult", result);
            CniCall.run(CniCall.env("CHECK", "c3", netns, "net1"), withPrev.toString()).ok();

            Shell.ipIn(pod, "addr", "del", "10." + f.subnet + ".0.10/24", "dev", "net1");
            CniCall.Answer missingAddress = CniCall.run(CniCall.env("CHECK", "c3", netns, "net1"), withPrev.toString());
            assertEquals(CniException.CHECK_FAILED, missingAddress.code(), missingAddress.toString());
            assertTrue(missingAddress.json().path("details").asText().contains("10." + f.subnet + ".0.10/24"),
                    missingAddress.stdout());

            Shell.ipIn(pod, "addr", "add", "10." + f.subnet + ".0.10/24", "dev", "net1");
            Shell.ipIn(pod, "route", "add", "10." + (f.subnet + 1) + ".0.0/16", "via", "10." + f.subnet + ".0.1");
            CniCall.run(CniCall.env("CHECK", "c3", netns, "net1"), withPrev.toString()).ok();

            Shell.ipIn(pod, "link", "set", "net1", "xdp", "off");
            CniCall.Answer noProgram = CniCall.run(CniCall.env("CHECK", "c3", netns, "net1"), withPrev.toString());
            assertEquals(CniException.CHECK_FAILED, noProgram.code(), noProgram.toString());
            assertTrue(noProgram.json().path("details").asText().contains("classifier"), noProgram.stdout());

            Shell.ipIn(pod, "link", "set", "net1", "down");
            CniCall.Answer down = CniCall.run(CniCall.env("CHECK", "c3", netns, "net1"), withPrev.toString());
            assertEquals(CniException.CHECK_FAILED, down.code());
            assertTrue(down.json().path("details").asText().contains("down"), down.stdout());

            CniCall.run(CniCall.env("DEL", "c3", netns, "net1"), withPrev.toString()).ok();
            assertFalse(f.pins().iterator().hasNext(), "pins: " + f.pins());
            assertEquals(List.of(), f.leases());
        }
    }
}
