package io.splitplane.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.PortRange;
import io.splitplane.api.classifier.Protocol;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.XdpAction;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.TestNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Classifiers loaded ahead of time: prepared, claimed by a rename, never of another object, swept. */
class ClassifierSparesTest {
    static final ClassifierRules RULES = ClassifierRules.of(
            ClassifierRule.of("dns", Action.DROP).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(53)));
    static final byte[] DNS = FrameBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(4000, 53).build();

    private static List<Path> entries(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static int programIdAt(Path dir) {
        try (Classifier c = Classifier.openPinned(dir)) {
            return c.programId();
        }
    }

    @Test
    void objectIdIsTheHashOfTheEmbeddedObject() throws Exception {
        byte[] elf;
        try (var in = Classifier.class.getResourceAsStream(Classifier.RESOURCE)) {
            elf = in.readAllBytes();
        }
        String expected = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(elf)).substring(0, 16);
        assertEquals(expected, ClassifierSpares.objectId());
    }

    @Test
    void aClaimedSpareIsTheProgramPreparedAheadAndWorksLikeALoadedOne() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            Path fs = net.bpffs();
            String nsName = net.namespace("c");
            TestNetwork.Veth veth = net.veth(nsName, nsName);
            ClassifierSpares spares = ClassifierSpares.under(fs);
            assertEquals(0, spares.count());
            Path spare = spares.prepare();
            assertEquals(1, spares.count());
            assertEquals(spares.directory().resolve(spare.getFileName()), spare);
            assertEquals(13, entries(spare).size(), "program and twelve maps: " + entries(spare));
            int spareId = programIdAt(spare);

            // The netdev's directory exists already (the device plugin makes it at Allocate), empty.
            Path pinDir = fs.resolve("pool0");
            Files.createDirectories(pinDir);
            try (NetNamespace ns = NetNamespace.open(nsName)) {
                try (Classifier claimed = spares.claim(pinDir).orElseThrow()) {
                    assertEquals(spareId, claimed.programId(), "the spare's program, not a new load");
                    assertEquals(Optional.of(pinDir), claimed.pinDirectory());
                    assertEquals(0, spares.count());
                    assertFalse(Files.exists(spare));
                    assertEquals(List.of(), claimed.ruleNames());
                    assertEquals(XdpAction.PASS, claimed.testRun(TestRun.of(DNS)).retval());
                    claimed.replaceRules(RULES);
                    assertEquals(XdpAction.DROP, claimed.testRun(TestRun.of(DNS)).retval());
                    assertEquals(XdpMode.NATIVE, ns.call(() -> claimed.attach(veth.a())));
                }
                assertTrue(ClassifierPinTest.xdpOn(nsName, veth.a()).contains("driver id " + spareId));
                assertTrue(Files.exists(pinDir.resolve(Classifier.XSKS_MAP_PIN)));
                try (Classifier again = Classifier.openPinned(pinDir)) {
                    assertEquals(List.of("dns"), again.ruleNames());
                    ns.run(again::detach);
                    again.unpin();
                }
                assertFalse(Files.exists(pinDir));
            }
            assertTrue(spares.claim(fs.resolve("pool1")).isEmpty(), "no spare left");
            assertFalse(Files.exists(fs.resolve("pool1")));
        }
    }

    @Test
    void aDirectoryWithPinsIsNeverOverwrittenAndKeepsTheSpare() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            Path fs = net.bpffs();
            ClassifierSpares spares = ClassifierSpares.under(fs);
            spares.prepare();
            Path pinDir = fs.resolve("pool0");
            try (Classifier inUse = Classifier.load()) {
                inUse.pin(pinDir);
                int inUseId = inUse.programId();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> spares.claim(pinDir));
                assertTrue(e.getMessage().contains(pinDir + ": the directory holds pins already"), e.getMessage());
                assertEquals(1, spares.count(), "the spare stays a spare");
                assertEquals(inUseId, programIdAt(pinDir));
                inUse.unpin();
            }
            assertEquals(1, spares.removeAll());
            assertFalse(Files.exists(fs.resolve(ClassifierSpares.DIRECTORY)));
        }
    }

    @Test
    void aSpareOfAnotherObjectIsNeverClaimedAndSweepRemovesIt() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            Path fs = net.bpffs();
            ClassifierSpares spares = ClassifierSpares.under(fs);
            Path other = fs.resolve(ClassifierSpares.DIRECTORY).resolve("0123456789abcdef");
            assertNotEquals(other, spares.directory());
            Path foreign = other.resolve("spare-1");
            try (Classifier c = Classifier.load()) {
                c.pin(foreign);
            }
            Path mine = spares.prepare();
            // An abandoned half-pinned spare of this object, from a preparer that died.
            Path abandoned = spares.directory().resolve("new-dead");
            try (Classifier c = Classifier.load()) {
                c.pin(abandoned);
            }
            Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minusSeconds(3600)));

            assertEquals(1, spares.count(), "only this object's complete spares count");
            Path pinDir = fs.resolve("pool0");
            int mineId = programIdAt(mine);
            try (Classifier claimed = spares.claim(pinDir).orElseThrow()) {
                assertEquals(mineId, claimed.programId());
                claimed.unpin();
            }
            assertTrue(spares.claim(pinDir).isEmpty(), "neither the foreign nor the half-pinned one is taken");
            assertTrue(Files.exists(foreign.resolve(Classifier.PROGRAM_PIN)));

            assertEquals(2, spares.sweep());
            assertFalse(Files.exists(other), "the other object's directory is gone");
            assertFalse(Files.exists(abandoned));
            assertTrue(Files.isDirectory(spares.directory()));
        }
    }

    @Test
    void concurrentClaimersRacingForOneSpareGetItOnce() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            Path fs = net.bpffs();
            ClassifierSpares spares = ClassifierSpares.under(fs);
            int spareId = programIdAt(spares.prepare());
            int claimers = 8;
            ExecutorService pool = Executors.newFixedThreadPool(claimers);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Optional<Classifier>>> results = new ArrayList<>();
                for (int i = 0; i < claimers; i++) {
                    Path pinDir = fs.resolve("pool" + i);
                    results.add(pool.submit(() -> {
                        start.await();
                        return spares.claim(pinDir);
                    }));
                }
                start.countDown();
                int won = 0;
                for (Future<Optional<Classifier>> f : results) {
                    Optional<Classifier> c = f.get();
                    if (c.isPresent()) {
                        won++;
                        assertEquals(spareId, c.get().programId());
                        c.get().unpin();
                        c.get().close();
                    }
                }
                assertEquals(1, won, "exactly one claimer gets the spare");
                assertEquals(0, spares.count());
                for (int i = 0; i < claimers; i++) {
                    assertFalse(Files.exists(fs.resolve("pool" + i)), "pool" + i);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void trimKeepsAtMostTheWantedNumber() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            Path fs = net.bpffs();
            ClassifierSpares spares = ClassifierSpares.under(fs);
            spares.prepare();
            spares.prepare();
            spares.prepare();
            assertEquals(3, spares.count());
            assertEquals(2, spares.trim(1));
            assertEquals(1, spares.count());
            assertEquals(0, spares.trim(1));
            assertThrows(IllegalArgumentException.class, () -> spares.trim(-1));
            assertEquals(1, spares.removeAll());
            assertFalse(Files.exists(fs.resolve(ClassifierSpares.DIRECTORY)));
        }
    }
}
