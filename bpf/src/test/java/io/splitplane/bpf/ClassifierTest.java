package io.splitplane.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.IpPrefix;
import io.splitplane.api.classifier.PortRange;
import io.splitplane.api.classifier.Protocol;
import io.splitplane.kernel.bpf.BpfException;
import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.XdpAction;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.Libc;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Java front's behaviour around the program: attach, sockets, limits, counters, failures. */
class ClassifierTest {
    private static final byte[] UDP_53 = FrameBuilder.ipv4("10.0.0.1", "10.0.0.2").udp(4000, 53).build();

    private static ClassifierRule udp(String name, Action action, int port) {
        return ClassifierRule.of(name, action).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(port));
    }

    @Test
    void attachesNativeOnceAndDetachesOnCloseWhenNotPinned() {
        try (TestNetwork net = new TestNetwork()) {
            String nsName = net.namespace("t");
            TestNetwork.Veth veth = net.veth(nsName, nsName);
            try (NetNamespace ns = NetNamespace.open(nsName)) {
                int id;
                try (Classifier c = Classifier.load()) {
                    id = c.programId();
                    assertEquals(Optional.empty(), c.attachedMode());
                    assertEquals(XdpMode.NATIVE, ns.call(() -> c.attach(veth.a())));
                    assertEquals(Optional.of(XdpMode.NATIVE), c.attachedMode());
                    int ifindex = ns.call(() -> Libc.ifNameToIndex0(veth.a()));
                    assertEquals(Optional.of(ifindex), c.attachedIfindex());
                    IllegalStateException twice = assertThrows(IllegalStateException.class,
                            () -> ns.call(() -> c.attach(veth.b())));
                    assertTrue(twice.getMessage().contains("a classifier serves one interface"), twice.getMessage());
                    assertTrue(ClassifierPinTest.xdpOn(nsName, veth.a()).contains("driver id " + id));
                    assertFalse(ClassifierPinTest.xdpOn(nsName, veth.b()).contains("id " + id));
                }
                assertFalse(ClassifierPinTest.xdpOn(nsName, veth.a()).contains("id " + id), "close detached it");
            }
        }
    }

    @Test
    void fallsBackToGenericModeAndSaysSo() {
        try (TestNetwork net = new TestNetwork(); Classifier c = Classifier.load()) {
            String nsName = net.namespace("g");
            try (NetNamespace ns = NetNamespace.open(nsName)) {
                // Loopback has no native XDP.
                assertEquals(XdpMode.GENERIC, ns.call(() -> c.attach("lo")));
                assertEquals(Optional.of(XdpMode.GENERIC), c.attachedMode());
                assertTrue(ClassifierPinTest.xdpOn(nsName, "lo").contains("generic id " + c.programId()));
                ns.run(c::detach);
                assertFalse(ClassifierPinTest.xdpOn(nsName, "lo").contains("id " + c.programId()));
                assertEquals(Optional.empty(), c.attachedMode());
            }
        }
    }

    @Test
    void anInterfaceWithAProgramIsNeverTakenOver() {
        try (TestNetwork net = new TestNetwork(); Classifier first = Classifier.load();
             Classifier second = Classifier.load()) {
            String nsName = net.namespace("o");
            TestNetwork.Veth veth = net.veth(nsName, nsName);
            try (NetNamespace ns = NetNamespace.open(nsName)) {
                ns.call(() -> first.attach(veth.a()));
                BpfException busy = assertThrows(BpfException.class, () -> ns.call(() -> second.attach(veth.a())));
                assertEquals(Errno.EBUSY, busy.errno());
                assertEquals(Optional.empty(), second.attachedMode(), "nothing recorded for a failed attach");
                assertTrue(ClassifierPinTest.xdpOn(nsName, veth.a()).contains("driver id " + first.programId()));
            }
        }
    }

    @Test
    void socketRegistrationRefusesWhatIsNoAfXdpSocket() {
        try (Classifier c = Classifier.load()) {
            FileDescriptor devNull = new FileDescriptor(Libc.open0("/dev/null", 0, 0), "/dev/null");
            try (devNull) {
                BpfException notASocket = assertThrows(BpfException.class, () -> c.registerSocket(0, devNull.get()));
                assertTrue(notASocket.getMessage().startsWith("register AF_XDP socket fd " + devNull.get()
                        + " for rx queue 0 failed"), notASocket.getMessage());
                assertTrue(notASocket.getMessage().endsWith("fd " + devNull.get() + " is not an AF_XDP socket"),
                        notASocket.getMessage());
            }
            IllegalArgumentException queue = assertThrows(IllegalArgumentException.class, () -> c.registerSocket(256, 3));
            assertEquals("queue must be 0-255, queue=256", queue.getMessage());
            assertThrows(IllegalArgumentException.class, () -> c.unregisterSocket(-1));
            assertThrows(IllegalArgumentException.class, () -> c.registerSocket(0, -1));
            c.unregisterSocket(0); // nothing registered: nothing to do
        }
    }

    @Test
    void countersFollowRuleNamesAcrossUpdates() {
        try (Classifier c = Classifier.load()) {
            c.replaceRules(ClassifierRules.of(udp("dns", Action.PASS, 53), udp("ntp", Action.DROP, 123)));
            c.testRun(TestRun.repeated(UDP_53, 3));
            assertEquals(new Counter(3, 3L * UDP_53.length), c.counters().rule("dns"));

            // "dns" moves to second place and changes its action: same rule, same counter.
            c.replaceRules(ClassifierRules.of(udp("other", Action.PASS, 1), udp("dns", Action.DROP, 53)));
            assertEquals(List.of("other", "dns"), c.ruleNames());
            assertEquals(XdpAction.DROP, c.testRun(TestRun.of(UDP_53)).retval());
            ClassifierCounters counters = c.counters();
            assertEquals(new Counter(4, 4L * UDP_53.length), counters.rule("dns"));
            assertEquals(Counter.ZERO, counters.rule("other"));
            IllegalArgumentException gone = assertThrows(IllegalArgumentException.class, () -> counters.rule("ntp"));
            assertEquals("no rule 'ntp' in the active rule set; rules: [other, dns]", gone.getMessage());

            // A rule that comes back is a new rule: it starts at zero, even in a slot used before.
            c.replaceRules(ClassifierRules.none());
            assertEquals(List.of(), c.ruleNames());
            c.replaceRules(ClassifierRules.of(udp("dns", Action.PASS, 53), udp("ntp", Action.DROP, 123)));
            assertEquals(Counter.ZERO, c.counters().rule("dns"));
            assertEquals(Counter.ZERO, c.counters().rule("ntp"));
            // Outcome counters never reset.
            assertEquals(new Counter(4, 4L * UDP_53.length), c.counters().total());
        }
    }

    @Test
    void aRuleSetUsingTheWholeTrieBudgetWorksAndOneMoreIsRefused() {
        List<String> prefixes = new ArrayList<>();
        for (int i = 0; i < RuleCompiler.MAX_PREFIXES_PER_SET; i++) {
            prefixes.add("10." + (i >> 8) + "." + (i & 0xff) + ".0/24");
        }
        ClassifierRule many = ClassifierRule.of("many", Action.DROP).withDstPrefixes(prefixes.toArray(String[]::new));
        try (Classifier c = Classifier.load()) {
            c.replaceRules(ClassifierRules.of(many));
            assertEquals(XdpAction.DROP, c.testRun(TestRun.of(FrameBuilder.ipv4("1.1.1.1", "10.15.255.9").udp(1, 2)
                    .build())).retval());
            assertEquals(XdpAction.PASS, c.testRun(TestRun.of(FrameBuilder.ipv4("1.1.1.1", "10.16.0.9").udp(1, 2)
                    .build())).retval());
            // Replacing it with itself needs room for both generations at once.
            c.replaceRules(ClassifierRules.of(many.withLaterFragments(true)));
            assertEquals(RuleCompiler.MAX_PREFIXES_PER_SET, c.maps().trie(PrefixTrie.DST4).keys().size(),
                    "the old generation is gone");

            prefixes.add("10.16.0.0/24");
            ClassifierRules tooMany = ClassifierRules.of(ClassifierRule.of("many", Action.DROP)
                    .withDstPrefixes(prefixes.toArray(String[]::new)));
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> c.replaceRules(tooMany));
            assertEquals("invalid config: rules: 4097 distinct IPv4 destination prefixes; the classifier holds at most"
                    + " 4096 per rule set", e.getMessage());
            assertEquals(List.of("many"), c.ruleNames(), "the active set is unchanged");
        }
    }

    /**
     * The kernel refuses an update halfway (the trie is full): the old set stays active, and the new
     * set leaves nothing behind (no trie entries, no counter names).
     */
    @Test
    void aFailedReplaceLeavesTheActiveSetAndNoTraces() {
        try (Classifier c = Classifier.load()) {
            c.replaceRules(ClassifierRules.of(udp("dns", Action.DROP, 53)));
            int generation = new RuleSetWriter(c.maps()).active().generation();
            BpfMap trie = c.maps().trie(PrefixTrie.SRC6);
            // Fill the trie with entries of the active generation, which the writer keeps.
            for (int i = 0; i < RuleCompiler.MAX_TRIE_ENTRIES; i++) {
                IpPrefix p = IpPrefix.parse("2001:db8:" + Integer.toHexString(i) + "::/48");
                trie.update(RuleSetWriter.prefixKey(generation, p), new byte[8]);
            }
            ClassifierRules next = ClassifierRules.of(udp("ntp", Action.DROP, 123),
                    // Host prefixes: longer than /64, so they go to the IPv6 source trie.
                    ClassifierRule.of("v6", Action.DROP).withSrcPrefixes("2001:db9::1/128", "2001:dba::1/128"));
            assertEquals(RuleSetLayout.F_SRC6_TRIE, RuleCompiler.compile(next).flags() & RuleSetLayout.F_SRC6_TRIE);
            BpfException full = assertThrows(BpfException.class, () -> c.replaceRules(next));
            assertTrue(full.getMessage().startsWith("bpf_map_update_elem(map 'src6_prefixes') failed"),
                    full.getMessage());

            assertEquals(List.of("dns"), c.ruleNames());
            assertEquals(XdpAction.DROP, c.testRun(TestRun.of(UDP_53)).retval());
            assertEquals(RuleCompiler.MAX_TRIE_ENTRIES, trie.keys().size(), "no entry of the failed set is left");
            CounterSlots slots = new CounterSlots(c.maps());
            for (int s = 0; s < ClassifierMaps.MAX_COUNTERS; s++) {
                String name = slots.name(s);
                assertTrue(name.isEmpty() || name.equals("dns"), "slot " + s + " still names '" + name + "'");
            }

            for (byte[] key : trie.keys()) {
                trie.delete(key);
            }
            c.replaceRules(next);
            assertEquals(List.of("ntp", "v6"), c.ruleNames());
        }
    }

    /** An index the writer never writes: packets get no rule set (pass), and the writer says so. */
    @Test
    void aRuleSetIndexOutOfRangeIsRefusedByTheWriterAndPassesPackets() {
        try (Classifier c = Classifier.load()) {
            c.replaceRules(ClassifierRules.of(udp("dns", Action.DROP, 53)));
            assertEquals(XdpAction.DROP, c.testRun(TestRun.of(UDP_53)).retval());
            BpfMap index = c.maps().map(ClassifierMaps.RULESET_INDEX);
            byte[] zero = new byte[4];
            index.update(zero, new byte[] {2, 0, 0, 0});

            assertEquals(XdpAction.PASS, c.testRun(TestRun.of(UDP_53)).retval());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> c.replaceRules(ClassifierRules.none()));
            assertTrue(e.getMessage().startsWith("the classifier's ruleset_index is 2, not a slot"), e.getMessage());
        }
    }

    @Test
    void aClosedClassifierSaysSo() {
        Classifier c = Classifier.load();
        c.close();
        c.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, c::counters);
        assertEquals("the classifier is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> c.replaceRules(ClassifierRules.none()));
        assertEquals("Classifier[closed]", c.toString());
    }

    @Test
    void bpftoolSeesOneProgramAndItsMaps() {
        try (Classifier c = Classifier.load()) {
            String shown = Shell.run("bpftool", "prog", "show", "id", Integer.toString(c.programId()));
            assertTrue(shown.contains("xdp  name classify"), shown);
        }
    }
}
