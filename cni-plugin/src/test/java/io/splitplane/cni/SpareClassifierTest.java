package io.splitplane.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.bpf.Classifier;
import io.splitplane.bpf.ClassifierSpares;
import io.splitplane.kernel.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * ADD with classifiers loaded ahead of time ({@link ClassifierSpares}, as the device plugin keeps
 * them): a spare is claimed instead of loading, one of another object never, two ADDs never get the
 * same one, and a failed ADD leaves no pins of the claimed spare.
 */
class SpareClassifierTest {

    private static int programIdAt(Path dir) {
        try (Classifier c = Classifier.openPinned(dir)) {
            return c.programId();
        }
    }

    private static int xdpProgramId(String ns, String link) {
        JsonNode l = PoolFixture.link(ns, link);
        assertTrue(l != null && l.has("xdp"), "an XDP program on " + link + ": " + l);
        return l.path("xdp").path("prog").path("id").asInt();
    }

    @Test
    void addClaimsTheSpareInsteadOfLoadingAndDelFreesIt() {
        try (PoolFixture f = new PoolFixture()) {
            ClassifierSpares spares = ClassifierSpares.under(f.bpffs);
            int spareId = programIdAt(spares.prepare());
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            String pod = PoolFixture.nsName(netns);
            ObjectNode config = f.config("1.1.0", d.device());

            JsonNode result = CniCall.run(CniCall.env("ADD", "c1", netns, "net1"), config.toString()).ok().json();
            assertEquals(spareId, xdpProgramId(pod, "net1"), "the spare's program runs on the pod's link");
            assertEquals(0, spares.count(), "the spare was taken");
            Path pinDir = new XskMapPaths(f.bpffs).hostDirectory(d.device());
            assertEquals(spareId, programIdAt(pinDir), "pinned where the device plugin mounts it from");
            try (Classifier c = Classifier.openPinned(pinDir)) {
                assertEquals(List.of("app"), c.ruleNames(), "the network's rules were written into the spare");
            }

            ObjectNode withPrev = config.deepCopy();
            withPrev.set("prevResult", result);
            assertEquals("", CniCall.run(CniCall.env("CHECK", "c1", netns, "net1"), withPrev.toString()).ok().stdout());
            CniCall.run(CniCall.env("DEL", "c1", netns, "net1"), withPrev.toString()).ok();
            f.assertHome(d);
            assertEquals(List.of(), f.pins());
            assertFalse(Shell.exec("bpftool", "prog", "show", "id", String.valueOf(spareId)).exitCode() == 0,
                    "the program is freed with its pins");
        }
    }

    @Test
    void withoutASpareAddLoadsItselfAndNeverTakesOneOfAnotherObject() throws Exception {
        try (PoolFixture f = new PoolFixture()) {
            // A complete spare, but filed under another object's identity (another build's classifier).
            Path foreign = f.bpffs.resolve(ClassifierSpares.DIRECTORY).resolve("0000000000000000").resolve("spare-1");
            int foreignId;
            try (Classifier c = Classifier.load()) {
                c.pin(foreign);
                foreignId = c.programId();
            }
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            ObjectNode config = f.config("1.1.0", d.device());
            CniCall.run(CniCall.env("ADD", "c1", netns, "net1"), config.toString()).ok();
            int loaded = xdpProgramId(PoolFixture.nsName(netns), "net1");
            assertNotEquals(foreignId, loaded, "the other object's spare is not used");
            assertEquals(foreignId, programIdAt(foreign), "and it is still there");
            CniCall.run(CniCall.env("DEL", "c1", netns, "net1"), config.toString()).ok();
            f.assertHome(d);
            assertEquals(List.of(), f.pins());
            assertEquals(1, ClassifierSpares.under(f.bpffs).removeAll());
        }
    }

    @Test
    void concurrentAddsRacingForOneSpareGetItOnceAndBothSucceed() throws Exception {
        try (PoolFixture f = new PoolFixture(); ExecutorService pool = Executors.newFixedThreadPool(2)) {
            ClassifierSpares spares = ClassifierSpares.under(f.bpffs);
            int spareId = programIdAt(spares.prepare());
            List<PoolFixture.Device> devices = List.of(f.device(), f.device());
            List<String> pods = List.of(f.pod(), f.pod());
            CountDownLatch start = new CountDownLatch(1);
            List<Future<CniCall.Answer>> adds = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ObjectNode config = f.config("1.1.0", devices.get(i).device());
                var env = CniCall.env("ADD", "c" + i, pods.get(i), "net1");
                adds.add(pool.submit(() -> {
                    start.await();
                    return CniCall.run(env, config.toString());
                }));
            }
            start.countDown();
            Set<Integer> ids = new HashSet<>();
            int fromSpare = 0;
            for (int i = 0; i < 2; i++) {
                adds.get(i).get().ok();
                int id = xdpProgramId(PoolFixture.nsName(pods.get(i)), "net1");
                ids.add(id);
                if (id == spareId) {
                    fromSpare++;
                }
            }
            assertEquals(1, fromSpare, "exactly one ADD ran the spare: " + ids + ", spare " + spareId);
            assertEquals(2, ids.size(), "two programs, one per netdev");
            assertEquals(0, spares.count());
            for (int i = 0; i < 2; i++) {
                CniCall.run(CniCall.env("DEL", "c" + i, pods.get(i), "net1"),
                        f.config("1.1.0", devices.get(i).device()).toString()).ok();
                f.assertHome(devices.get(i));
            }
            assertEquals(List.of(), f.pins());
        }
    }

    @Test
    void anAddKilledRightAfterItsClaimLeavesPinsThatDelRemoves() throws Exception {
        try (PoolFixture f = new PoolFixture()) {
            ClassifierSpares spares = ClassifierSpares.under(f.bpffs);
            int spareId = programIdAt(spares.prepare());
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            ObjectNode config = f.config("1.1.0", d.device());
            Path pinDir = new XskMapPaths(f.bpffs).hostDirectory(d.device());

            ProcessBuilder pb = new ProcessBuilder(CniCall.LAUNCHER.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            pb.environment().putAll(CniCall.env("ADD", "c", netns, "net1"));
            Process add = pb.start();
            try (var in = add.getOutputStream()) {
                in.write(config.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            // The runtime's process dies (OOM kill, node crash) the moment the spare became the netdev's pins.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (spares.count() > 0 && add.isAlive() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
            assertTrue(add.isAlive(), "ADD ended before the test saw its claim");
            add.destroyForcibly();
            add.waitFor();
            assertEquals(spareId, programIdAt(pinDir), "the claimed spare is the netdev's pins, not lost");
            assertEquals(List.of("c@net1.json"), f.states(), "ADD had put itself on record before the claim");

            // What the runtime does after an ADD that did not answer.
            CniCall.run(CniCall.env("DEL", "c", netns, "net1"), config.toString()).ok();
            f.assertHome(d);
            assertEquals(List.of(), f.pins());
            assertEquals(List.of(), f.states());
            assertEquals(List.of(), f.leases());
            assertFalse(Shell.exec("bpftool", "prog", "show", "id", String.valueOf(spareId)).exitCode() == 0);
        }
    }

    @Test
    void aFailedAddAfterTheClaimLeavesNoPinsAndTheDeviceHome() {
        try (PoolFixture f = new PoolFixture()) {
            ClassifierSpares spares = ClassifierSpares.under(f.bpffs);
            int spareId = programIdAt(spares.prepare());
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            // Native XDP on a veth refuses a peer MTU larger than a page can hold: attach fails after the claim.
            Shell.ipIn(d.wire(), "link", "set", d.peer(), "mtu", "9000");
            ObjectNode config = f.config("1.1.0", d.device());
            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertEquals(CniException.KERNEL_FAILURE, add.code(), add.toString());
            assertTrue(add.json().path("details").asText().contains("bpf_xdp_attach"), add.stdout());
            Shell.ipIn(d.wire(), "link", "set", d.peer(), "mtu", "1500");
            f.assertHome(d);
            assertEquals(List.of(), f.pins(), "the claimed spare's pins are removed");
            assertEquals(List.of(), f.states());
            assertEquals(List.of(), f.leases());
            assertEquals(0, spares.count(), "the spare was claimed (and freed), not put back");
            assertFalse(Shell.exec("bpftool", "prog", "show", "id", String.valueOf(spareId)).exitCode() == 0);
            CniCall.run(CniCall.env("DEL", "c", netns, "net1"), config.toString()).ok();
        }
    }

    @Test
    void aFailedAddBeforeTheClassifierStepGivesBackTheSpareItClaimedAhead() {
        try (PoolFixture f = new PoolFixture()) {
            ClassifierSpares spares = ClassifierSpares.under(f.bpffs);
            int spareId = programIdAt(spares.prepare());
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            // The route fails after the move and the addresses: the spare, claimed and given its rules
            // meanwhile on a thread of its own, is never attached, and rollback must free it.
            ObjectNode config = f.config("1.1.0", d.device());
            ((ObjectNode) config.path("ipam").path("routes").get(0)).put("gw", "192.0.2.77");
            CniCall.Answer add = CniCall.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertEquals(CniException.KERNEL_FAILURE, add.code(), add.toString());
            f.assertHome(d);
            assertEquals(List.of(), f.pins(), "the claimed spare's pins are removed");
            assertEquals(List.of(), f.states());
            assertEquals(List.of(), f.leases());
            assertEquals(0, spares.count(), "the spare was claimed (and freed), not put back");
            assertFalse(Shell.exec("bpftool", "prog", "show", "id", String.valueOf(spareId)).exitCode() == 0,
                    "the spare's program is gone");
            CniCall.run(CniCall.env("DEL", "c", netns, "net1"), config.toString()).ok();
        }
    }
}
