package io.splitplane.deviceplugin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.bpf.Classifier;
import io.splitplane.bpf.ClassifierSpares;
import io.splitplane.deviceplugin.spares.SpareKeeper;
import io.splitplane.kernel.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon keeps one classifier loaded ahead of time per pool netdev on the node: it refills after
 * a claim when a netdev comes home, trims when one is gone, sweeps other objects' spares and removes
 * its own on stop.
 */
class SpareClassifiersTest {
    // Loads run the kernel's verifier (about a second each on a loaded 2-core machine).
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    private static List<Integer> programIds(ClassifierSpares spares) throws Exception {
        List<Integer> ids = new ArrayList<>();
        if (!Files.isDirectory(spares.directory())) {
            return ids;
        }
        try (Stream<Path> s = Files.list(spares.directory())) {
            for (Path p : s.toList()) {
                try (Classifier c = Classifier.openPinned(p)) {
                    ids.add(c.programId());
                }
            }
        }
        return ids;
    }

    private static boolean programExists(int id) {
        return Shell.exec("bpftool", "prog", "show", "id", String.valueOf(id)).exitCode() == 0;
    }

    @Test
    void keepsOneSparePerNetdevOnTheNodeRefillsAfterAClaimAndRemovesThemOnStop() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 2)) {
            Path root = f.bpffs.resolve("afxdp");
            // Left by another build of the classifier: never claimable, swept at start.
            Path foreign = root.resolve(ClassifierSpares.DIRECTORY).resolve("0000000000000000").resolve("spare-1");
            int foreignId;
            try (Classifier c = Classifier.load()) {
                c.pin(foreign);
                foreignId = c.programId();
            }
            f.start(f.poolConfig("pinned"), true);
            SpareKeeper keeper = f.daemon.spareKeeper().orElseThrow();
            ClassifierSpares spares = ClassifierSpares.under(root);
            assertEquals(spares, keeper.spares(), "under the config's bpffsRoot");

            await().atMost(WAIT).until(() -> spares.count() == 2);
            assertEquals(2, keeper.wanted());
            assertFalse(Files.exists(foreign.getParent()), "the other object's spares are swept");
            assertFalse(programExists(foreignId));
            List<Integer> first = programIds(spares);
            assertEquals(2, first.stream().distinct().count(), "two programs: " + first);

            // ADD for netdev a: claims a spare, the netdev leaves for the pod. One netdev left, one spare left.
            String a = f.netdevs.get(0);
            Path pinDir = root.resolve(a);
            int claimedId;
            try (Classifier claimed = spares.claim(pinDir).orElseThrow()) {
                claimedId = claimed.programId();
            }
            assertTrue(first.contains(claimedId));
            f.ip("link", "set", a, "netns", f.peer);
            await().atMost(WAIT).until(() -> keeper.wanted() == 1);
            Thread.sleep(3 * SpareKeeper.RECHECK.toMillis());
            assertEquals(1, spares.count(), "no refill for a netdev in a pod");
            assertEquals(2, keeper.prepared());

            // DEL: the netdev comes home, its pins go; a spare is loaded for it again.
            Shell.ipIn(f.peer, "link", "set", a, "netns", f.node);
            f.ip("link", "set", a, "up");
            try (Classifier c = Classifier.openPinned(pinDir)) {
                c.unpin();
            }
            // The keeper counts a spare after it is pinned, so the count can lag the pins a moment.
            await().atMost(WAIT).until(() -> keeper.wanted() == 2 && spares.count() == 2 && keeper.prepared() >= 3);
            assertEquals(3, keeper.prepared());
            assertFalse(programIds(spares).contains(claimedId), "a new load, not the claimed program");

            // A netdev gone from the node: its spare is removed (after two checks, not at once).
            f.ip("link", "del", f.netdevs.get(1));
            await().atMost(WAIT).until(() -> keeper.wanted() == 1 && spares.count() == 1);

            List<Integer> last = programIds(spares);
            f.daemon.close();
            assertFalse(Files.exists(root.resolve(ClassifierSpares.DIRECTORY)), "no spare left after stop");
            for (int id : last) {
                assertFalse(programExists(id), "program " + id + " is freed");
            }
            assertNotEquals(0, last.size());
        }
    }

    @Test
    void aNewBpffsRootMovesTheSparesAndOneThatIsNoBpffsIsReportedNotFatal() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 1)) {
            String config = f.poolConfig("pinned");
            String root = f.bpffs + "/afxdp";
            assertTrue(config.contains("\"bpffsRoot\":\"" + root + "\""), config);
            f.start(config, true);
            ClassifierSpares first = ClassifierSpares.under(Path.of(root));
            await().atMost(WAIT).until(() -> first.count() == 1);

            f.writeConfig(config.replace(root, f.bpffs + "/other"));
            ClassifierSpares second = ClassifierSpares.under(f.bpffs.resolve("other"));
            await().atMost(WAIT).until(() -> second.count() == 1);
            assertEquals(0, first.count());
            assertFalse(Files.exists(Path.of(root, ClassifierSpares.DIRECTORY)), "the old root's spares are gone");
            List<Integer> ids = programIds(second);

            Path plain = dir.resolve("plain");
            Files.createDirectories(plain);
            f.writeConfig(config.replace(root, plain.toString()));
            await().atMost(WAIT).until(() -> f.daemon.spareKeeper().orElseThrow().lastError() != null);
            String error = f.daemon.spareKeeper().orElseThrow().lastError();
            assertTrue(error.contains(plain.toString()), error);
            assertEquals(0, second.count());
            assertFalse(programExists(ids.getFirst()), "the previous root's spare is freed");
            assertEquals(0, ClassifierSpares.under(plain).count());
            assertTrue(f.daemon.isRegistered("fast"), "the daemon serves on");
        }
    }

    @Test
    void withoutTheOptionNoClassifierIsLoaded() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 1)) {
            f.start(f.poolConfig("pinned"));
            assertTrue(f.daemon.spareKeeper().isEmpty());
            f.kubelet.awaitRegistration("afxdp/fast", Duration.ofSeconds(10));
            Thread.sleep(2 * SpareKeeper.RECHECK.toMillis());
            assertFalse(Files.exists(f.bpffs.resolve("afxdp").resolve(ClassifierSpares.DIRECTORY)));
        }
    }
}
