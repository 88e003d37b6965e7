package io.splitplane.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.kernel.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ADD failing at each step, each failure brought about by real means (a bad IPAM range, a name taken
 * in the pod, the same while the IPAM delegate still runs, an unreachable route gateway, a peer MTU
 * native XDP refuses, a pin root that is no bpffs): every one leaves no trace. The device is home under its name, up, without program or alias;
 * host-local holds no lease; nothing is pinned; no state remains; and the runtime's DEL that follows
 * a failed ADD succeeds.
 */
class AddRollbackTest {

    private static void assertNoTrace(PoolFixture f, PoolFixture.Device d, String netns, ObjectNode delConfig,
                                      CniCall.Answer add) {
        f.assertHome(d);
        assertNull(PoolFixture.link(PoolFixture.nsName(netns), "net1"), "nothing named net1 in the pod");
        assertEquals(List.of(), f.leases(), "no lease left: " + add);
        assertEquals(List.of(), f.pins(), "no pin left");
        assertEquals(List.of(), f.states(), "no state left");
        CniCall.run(CniCall.env("DEL", "c", netns, "net1"), delConfig.toString()).ok();
        f.assertHome(d);
    }

    @Test
    void ipamFailure() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            ObjectNode config = f.config("1.1.0", d.device());
            ((ObjectNode) config.path("ipam").path("ranges").get(0).get(0)).put("rangeStart", "10.1.2.3");
            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertTrue(add.code() > 0);
            assertTrue(add.json().path("msg").asText().startsWith("IPAM plugin host-local ADD failed"), add.stdout());
            // host-local refuses its own DEL with this range, as it refused ADD: the runtime's DEL reports it.
            CniCall.Answer del = CniCall.run(CniCall.env("DEL", "c", netns, "net1"), config.toString());
            assertTrue(del.json().path("details").asText().contains("RangeStart 10.1.2.3"), del.toString());
            assertNoTrace(f, d, netns, f.config("1.1.0", d.device()), add);
        }
    }

    @Test
    void moveFailureWhenThePodHasALinkWithTheDevicesName() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            // (a veth: this kernel has no dummy driver; the pair dies with the pod's namespace)
            Shell.ipIn(PoolFixture.nsName(netns), "link", "add", d.device(), "type", "veth", "peer", "name",
                    f.net.uniqueName("x"));
            ObjectNode config = f.config("1.1.0", d.device());
            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertEquals(CniException.KERNEL_FAILURE, add.code(), add.toString());
            assertTrue(add.json().path("details").asText().contains("EEXIST"), add.stdout());
            assertNoTrace(f, d, netns, config, add);
        }
    }

    /**
     * The IPAM delegate runs while the device moves: here the move fails (the name is taken in the
     * pod) while host-local, behind a wrapper that pauses first, is still taking its lease. The
     * rollback waits for that ADD to end before it runs the delegate's DEL, so the lease is released
     * rather than taken after a DEL that came too early.
     */
    @Test
    void moveFailureWhileIpamStillRuns() throws IOException {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            Shell.ipIn(PoolFixture.nsName(netns), "link", "add", d.device(), "type", "veth", "peer", "name",
                    f.net.uniqueName("x"));
            Path bin = f.directory("bin");
            Path calls = bin.resolve("calls");
            Path slow = bin.resolve("slow-host-local");
            Files.writeString(slow, "#!/bin/sh\n"
                    + "echo \"$CNI_COMMAND start\" >>" + calls + "\n"
                    + "sleep 0.5\n"
                    + CniCall.CNI_PATH + "/host-local\n"
                    + "rc=$?\n"
                    + "echo \"$CNI_COMMAND end\" >>" + calls + "\n"
                    + "exit $rc\n");
            Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwx------"));
            ObjectNode config = f.config("1.1.0", d.device());
            ((ObjectNode) config.path("ipam")).put("type", slow.getFileName().toString());
            Map<String, String> env = CniCall.env("ADD", "c", netns, "net1");
            env.put("CNI_PATH", bin + ":" + CniCall.CNI_PATH);
            CniCall.Answer add = CniCall.run(env, config.toString());
            assertEquals(CniException.KERNEL_FAILURE, add.code(), add.toString());
            assertTrue(add.json().path("details").asText().contains("EEXIST"), add.stdout());
            List<String> order = Files.readAllLines(calls).stream().filter(l -> !l.startsWith("VERSION")).toList();
            assertEquals(List.of("ADD start", "ADD end", "DEL start", "DEL end"), order,
                    "the delegate's DEL ran after its ADD had ended");
            assertNoTrace(f, d, netns, f.config("1.1.0", d.device()), add);
        }
    }

    @Test
    void routeFailureAfterAddressesWereApplied() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            ObjectNode config = f.config("1.1.0", d.device());
            ((ObjectNode) config.path("ipam").path("routes").get(0)).put("gw", "192.0.2.77");
            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertEquals(CniException.KERNEL_FAILURE, add.code(), add.toString());
            assertTrue(add.json().path("details").asText().contains("route"), add.stdout());
            assertNoTrace(f, d, netns, config, add);
        }
    }

    @Test
    void classifierAttachFailure() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            // Native XDP on a veth refuses a peer MTU larger than a page can hold.
            Shell.ipIn(d.wire(), "link", "set", d.peer(), "mtu", "9000");
            ObjectNode config = f.config("1.1.0", d.device());
            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertEquals(CniException.KERNEL_FAILURE, add.code(), add.toString());
            assertTrue(add.json().path("details").asText().contains("bpf_xdp_attach"), add.stdout());
            assertNoTrace(f, d, netns, config, add);
        }
    }

    @Test
    void pinFailureAfterTheClassifierWasAttached() throws Exception {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            ObjectNode config = f.config("1.1.0", d.device());
            Path notBpffs = f.stateDir.resolve("pins");
            Files.createDirectories(notBpffs);
            config.put("bpffsRoot", notBpffs.toString());
            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertTrue(add.code() > 0);
            assertTrue(add.json().path("details").asText().contains(notBpffs.toString()), add.stdout());
            assertNoTrace(f, d, netns, config, add);
            try (var left = Files.list(notBpffs)) {
                assertEquals(0, left.count(), "no directory left in the pin root");
            }
        }
    }

    @Test
    void invalidRulesAreRefusedBeforeAnythingChanges() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            ObjectNode config = f.config("1.1.0", d.device());
            ((ObjectNode) config.path("classifier").path("rules").get(0)).put("protocol", "icmp");
            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertEquals(CniException.INVALID_NETWORK_CONFIG, add.code(), add.toString());
            assertTrue(add.json().path("details").asText().contains("classifier.rules[0].dstPorts"), add.stdout());
            assertNoTrace(f, d, netns, config, add);
        }
    }

    @Test
    void failureAfterTheClassifierInTheColdPathLeavesNoProgramOnTheLinkHome() {
        failureAfterTheClassifierLeavesNoProgramOnTheLinkHome(false);
    }

    @Test
    void failureAfterTheClassifierWithASpareLeavesNoProgramOnTheLinkHome() {
        failureAfterTheClassifierLeavesNoProgramOnTheLinkHome(true);
    }

    private static void failureAfterTheClassifierLeavesNoProgramOnTheLinkHome(boolean spare) {
        try (PoolFixture f = new PoolFixture()) {
            if (spare) {
                io.splitplane.bpf.ClassifierSpares.under(f.bpffs).prepare();
            }
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            // ADD claims the spare, or without one loads the classifier itself (the cold path), attaches
            // and pins it, and only then reads the chained prevResult, whose first address is missing.
            ObjectNode config = f.config("1.1.0", d.device());
            config.putObject("prevResult").putArray("ips").addObject().put("gateway", "10.0.0.1");
            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertEquals(CniException.DECODING_FAILURE, add.code(), add.toString());
            assertTrue(add.json().path("details").asText().contains("address"), add.stdout());
            assertNoTrace(f, d, netns, config, add);
            if (spare) {
                assertEquals(0, io.splitplane.bpf.ClassifierSpares.under(f.bpffs).count(), "the spare was used");
            }
        }
    }
}
