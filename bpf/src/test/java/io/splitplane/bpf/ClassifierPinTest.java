package io.splitplane.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.PortRange;
import io.splitplane.api.classifier.Protocol;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.XdpAction;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CNI's hand-over: one owner loads, attaches, sets rules, pins and lets go; another reopens the
 * pins, finds rules, counters and attachment there, changes rules, detaches and unpins.
 */
class ClassifierPinTest {
    static final ClassifierRules FIRST = ClassifierRules.of(
            ClassifierRule.of("dns", Action.REDIRECT).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(53)),
            ClassifierRule.of("blocked", Action.DROP).withSrcPrefixes("192.0.2.0/24"));
    static final ClassifierRules SECOND = ClassifierRules.of(
            ClassifierRule.of("ntp", Action.DROP).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(123))
                    .withDstPrefixes("10.0.0.0/8"),
            ClassifierRule.of("dns", Action.REDIRECT).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(53)));
    static final byte[] DNS = FrameBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(4000, 53).build();
    static final byte[] NTP = FrameBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(4000, 123).build();

    static String xdpOn(String ns, String link) {
        return Shell.execIn(ns, "bpftool", "net", "show", "dev", link).orThrow().stdout();
    }

    private static List<Path> entries(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void reopenedPinsCarryRulesCountersAndTheAttachment() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String nsName = net.namespace("c");
            TestNetwork.Veth veth = net.veth(nsName, nsName);
            Path dir = net.bpffs().resolve("pool0");
            try (NetNamespace ns = NetNamespace.open(nsName)) {
                int programId;
                try (Classifier first = Classifier.load()) {
                    assertEquals(XdpMode.NATIVE, ns.call(() -> first.attach(veth.a())));
                    first.replaceRules(FIRST);
                    assertEquals(XdpAction.PASS, first.testRun(TestRun.of(DNS)).retval());
                    first.pin(dir);
                    assertEquals(java.util.Optional.of(dir), first.pinDirectory());
                    programId = first.programId();
                }
                // Closing a pinned classifier leaves it attached, for whoever reopens the pins.
                assertTrue(xdpOn(nsName, veth.a()).contains("driver id " + programId), xdpOn(nsName, veth.a()));
                assertEquals(13, entries(dir).size(), "program and twelve maps: " + entries(dir));
                assertTrue(Files.exists(dir.resolve(Classifier.XSKS_MAP_PIN)));

                try (Classifier second = Classifier.openPinned(dir)) {
                    assertEquals(programId, second.programId());
                    assertEquals(java.util.Optional.of(XdpMode.NATIVE), second.attachedMode());
                    assertEquals(List.of("dns", "blocked"), second.ruleNames());
                    assertEquals(new Counter(1, DNS.length), second.counters().rule("dns"), "the first owner's count");

                    second.replaceRules(SECOND);
                    assertEquals(List.of("ntp", "dns"), second.ruleNames());
                    assertEquals(XdpAction.DROP, second.testRun(TestRun.of(NTP)).retval());
                    assertEquals(XdpAction.PASS, second.testRun(TestRun.of(DNS)).retval());
                    ClassifierCounters counters = second.counters();
                    assertEquals(new Counter(1, NTP.length), counters.rule("ntp"));
                    assertEquals(new Counter(2, 2L * DNS.length), counters.rule("dns"), "a kept rule keeps counting");
                    assertEquals(new Counter(2, 2L * DNS.length), counters.outcome(Outcome.REDIRECT_NO_SOCKET));

                    // Detach belongs to the attach's namespace.
                    IllegalStateException elsewhere = assertThrows(IllegalStateException.class, second::detach);
                    assertTrue(elsewhere.getMessage().contains("detach from there"), elsewhere.getMessage());
                    assertTrue(xdpOn(nsName, veth.a()).contains("driver id " + programId));
                    ns.run(second::detach);
                    assertFalse(xdpOn(nsName, veth.a()).contains("id " + programId), xdpOn(nsName, veth.a()));
                    assertEquals(java.util.Optional.empty(), second.attachedMode());
                    ns.run(second::detach); // idempotent

                    second.unpin();
                    assertFalse(Files.exists(dir), "pins and their directory are gone: " + entries(dir));
                    second.unpin(); // idempotent
                }
                assertGone(programId);
            }
        }
    }

    /** The program is freed once nothing holds it (asynchronously, after an RCU grace period). */
    static void assertGone(int programId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Shell.exec("bpftool", "prog", "show", "id", Integer.toString(programId)).exitCode() == 0) {
            assertTrue(System.nanoTime() - deadline < 0, "program " + programId + " is still loaded");
            Thread.sleep(20);
        }
    }

    @Test
    void aDirectoryWithoutAClassifierIsAClearError() {
        try (TestNetwork net = new TestNetwork()) {
            Path bpffs = net.bpffs();
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                    () -> Classifier.openPinned(bpffs));
            assertEquals("no classifier pinned at " + bpffs + ": " + bpffs.resolve("classify") + " does not exist",
                    empty.getMessage());
            // Half a classifier: the program without the maps; what was opened is closed again.
            try (Classifier c = Classifier.load()) {
                c.maps().program().pin(bpffs.resolve("classify"));
            }
            IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                    () -> Classifier.openPinned(bpffs));
            assertTrue(half.getMessage().endsWith(bpffs.resolve("rulesets") + " does not exist"),
                    half.getMessage());
            BpfMap.unpin(bpffs.resolve("classify"));
        }
    }

    @Test
    void pinsOnlyOnABpfFilesystemAndLeavesNoDirectoryBehind(@org.junit.jupiter.api.io.TempDir Path tmp) {
        try (Classifier c = Classifier.load()) {
            Path dir = tmp.resolve("pins");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.pin(dir));
            assertTrue(e.getMessage().contains("not on a BPF filesystem"), e.getMessage());
            assertFalse(Files.exists(dir), "the directory pin() made is removed again");
            assertEquals(java.util.Optional.empty(), c.pinDirectory());
        }
    }

    @Test
    void pinningTwiceOrIntoAnOccupiedPlaceFailsWithoutLeftovers() throws Exception {
        try (TestNetwork net = new TestNetwork(); Classifier a = Classifier.load(); Classifier b = Classifier.load()) {
            Path dir = net.bpffs().resolve("x");
            a.pin(dir);
            assertThrows(IllegalStateException.class, () -> a.pin(dir));
            // b's pins collide with a's: b pins nothing, a's stay.
            RuntimeException taken = assertThrows(RuntimeException.class, () -> b.pin(dir));
            assertTrue(taken.getMessage().contains("something is already pinned there"), taken.getMessage());
            assertEquals(java.util.Optional.empty(), b.pinDirectory());
            assertEquals(13, entries(dir).size());
            try (Classifier reopened = Classifier.openPinned(dir)) {
                assertEquals(a.programId(), reopened.programId());
            }
            a.unpin();
            assertEquals(List.of(), entries(dir));
        }
    }

    @Test
    void aVlanNetdevsPinDirectoryTakesAClassifier() throws Exception {
        try (TestNetwork net = new TestNetwork(); Classifier c = Classifier.load()) {
            // bpffs refuses any name with a dot, which is why the directory's name is encoded.
            assertThrows(IOException.class, () -> Files.createDirectory(net.bpffs().resolve("eth0.100")));
            Path dir = new XskMapPaths(net.bpffs()).hostDirectory("eth0.100");
            c.replaceRules(FIRST);
            c.pin(dir);
            try (Classifier reopened = Classifier.openPinned(dir)) {
                assertEquals(c.programId(), reopened.programId());
                assertEquals(List.of("dns", "blocked"), reopened.ruleNames());
            }
            c.unpin();
            assertFalse(Files.exists(dir), "unpin removes the directory it pinned into");
        }
    }
}
