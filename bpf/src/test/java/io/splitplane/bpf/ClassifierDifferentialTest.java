package io.splitplane.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.IpPrefix;
import io.splitplane.api.classifier.PortRange;
import io.splitplane.api.classifier.Protocol;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.XdpAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel program against a reference written straight from the rule semantics (first rule whose
 * every constraint holds), on random rule sets and random packets drawn from the same small pools of
 * ports, VLANs and (nested) networks, so that matches, near misses and priority conflicts are common.
 * Half the sets carry filler prefixes that push them into the LPM tries. Fixed seeds: a failure
 * names the seed, the rules and the packet.
 */
class ClassifierDifferentialTest {
    private static final int SETS = 12;
    private static final int PACKETS_PER_SET = 60;
    private static final String[] NETS4 = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25",
            "192.0.2.0/24", "0.0.0.0/0", "10.1.2.7/32"};
    private static final String[] NETS6 = {"2001:db8::/32", "2001:db8:1::/48", "2001:db8:1:2::/64",
            "2001:db8:1:2::80/121", "::/0", "2001:db8:1:2::7/128", "fd00::/8"};
    private static final int[] PORTS = {0, 53, 80, 443, 1000, 1999, 2000, 65535};
    private static final Protocol[] PROTOCOLS = {Protocol.UDP, Protocol.TCP, Protocol.SCTP, Protocol.ICMP,
            Protocol.ICMPV6, new Protocol(47)};
    private static final Integer[] VLANS = {5, 100, 4095, 0};

    private static Classifier classifier;

    @BeforeAll
    static void load() {
        classifier = Classifier.load();
    }

    @AfterAll
    static void close() {
        classifier.close();
    }

    /** A packet as the reference sees it. */
    record Packet(int version, int protocol, int srcPort, int dstPort, Integer vlan, boolean laterFragment,
                  IpPrefix src, IpPrefix dst) {
        boolean hasPorts() {
            return !laterFragment && (protocol == 6 || protocol == 17 || protocol == 132);
        }

        byte[] frame() {
            String s = address(src);
            String d = address(dst);
            FrameBuilder b = version == 4 ? FrameBuilder.ipv4(s, d) : FrameBuilder.ipv6(s, d);
            if (vlan != null) {
                b.vlan(vlan);
            }
            switch (protocol) {
                case 17 -> b.udp(srcPort, dstPort);
                case 6 -> b.tcp(srcPort, dstPort);
                case 132 -> b.sctp(srcPort, dstPort);
                case 1, 58 -> b.l4(protocol, new byte[16]);
                default -> b.l4(protocol, new byte[24]);
            }
            if (laterFragment) {
                b.fragment(37, false);
            }
            return b.build();
        }

        private static String address(IpPrefix p) {
            String t = p.toString();
            return t.substring(0, t.indexOf('/'));
        }
    }

    /** The reference: the first rule all of whose constraints hold, or null. */
    static ClassifierRule reference(ClassifierRules rules, Packet p) {
        for (ClassifierRule r : rules.rules()) {
            if (matches(r, p)) {
                return r;
            }
        }
        return null;
    }

    private static boolean matches(ClassifierRule r, Packet p) {
        if (!r.ipVersions().contains(p.version())) {
            return false;
        }
        if (r.protocol() != null && r.protocol().number() != p.protocol()) {
            return false;
        }
        if (p.laterFragment() && !r.laterFragments()) {
            return false;
        }
        if (r.dstPorts() != null && !(p.hasPorts() && r.dstPorts().contains(p.dstPort()))) {
            return false;
        }
        if (r.srcPorts() != null && !(p.hasPorts() && r.srcPorts().contains(p.srcPort()))) {
            return false;
        }
        if (r.vlan() != null && !r.vlan().equals(p.vlan())) {
            return false;
        }
        if (r.dstPrefixes() != null && r.dstPrefixes().stream().noneMatch(x -> x.contains(p.dst()))) {
            return false;
        }
        return r.srcPrefixes() == null || r.srcPrefixes().stream().anyMatch(x -> x.contains(p.src()));
    }

    private static <T> T pick(Random rnd, T[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private static PortRange ports(Random rnd) {
        int a = PORTS[rnd.nextInt(PORTS.length)];
        int b = PORTS[rnd.nextInt(PORTS.length)];
        return new PortRange(Math.min(a, b), Math.max(a, b));
    }

    private static List<String> prefixes(Random rnd, boolean filler) {
        List<String> out = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            String p = rnd.nextBoolean() ? pick(rnd, NETS4) : pick(rnd, NETS6);
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        if (filler) {
            for (int i = 0; i < 70; i++) {
                out.add("172.20." + (2 * i) + ".0/24");
            }
        }
        return out;
    }

    private static ClassifierRule randomRule(Random rnd, int index, boolean filler) {
        for (int attempt = 0; ; attempt++) {
            try {
                ClassifierRule r = ClassifierRule.of("r" + index, pick(rnd, Action.values()));
                if (rnd.nextInt(4) == 0) {
                    r = r.withIpVersion(rnd.nextBoolean() ? 4 : 6);
                }
                if (rnd.nextInt(3) > 0) {
                    r = r.withProtocol(pick(rnd, PROTOCOLS));
                }
                boolean portable = r.protocol() == null || r.protocol().hasPorts();
                if (portable && rnd.nextInt(2) == 0) {
                    r = r.withDstPorts(ports(rnd));
                }
                if (portable && rnd.nextInt(4) == 0) {
                    r = r.withSrcPorts(ports(rnd));
                }
                if (rnd.nextInt(3) == 0) {
                    r = r.withDstPrefixes(prefixes(rnd, filler && rnd.nextBoolean()).toArray(String[]::new));
                }
                if (rnd.nextInt(4) == 0) {
                    r = r.withSrcPrefixes(prefixes(rnd, filler && rnd.nextBoolean()).toArray(String[]::new));
                }
                if (rnd.nextInt(6) == 0) {
                    r = r.withVlan(pick(rnd, VLANS));
                }
                if (r.dstPorts() == null && r.srcPorts() == null && rnd.nextInt(5) == 0) {
                    r = r.withLaterFragments(true);
                }
                return r;
            } catch (InvalidConfigException impossible) {
                assertTrue(attempt < 1000, "cannot make a valid rule");
            }
        }
    }

    /** An address in a random pool network: its first, last or a random address. */
    private static IpPrefix address(Random rnd, int version) {
        IpPrefix net = IpPrefix.parse(version == 4 ? pick(rnd, NETS4) : pick(rnd, NETS6));
        byte[] a = net.address();
        int bits = a.length * 8;
        int mode = rnd.nextInt(3);
        for (int bit = net.length(); bit < bits; bit++) {
            boolean one = mode == 1 || (mode == 2 && rnd.nextBoolean());
            if (one) {
                a[bit / 8] |= (byte) (0x80 >>> (bit % 8));
            }
        }
        if (version == 4 && (a[0] == 0 || (a[0] & 0xff) >= 224)) {
            a[0] = 10; // keep to ordinary unicast; the program does not care, the frame builder neither
        }
        return new IpPrefix(a, bits);
    }

    private static Packet randomPacket(Random rnd) {
        int version = rnd.nextBoolean() ? 4 : 6;
        Protocol proto = pick(rnd, PROTOCOLS);
        Integer vlan = rnd.nextInt(3) == 0 ? pick(rnd, VLANS) : null;
        int sport = PORTS[rnd.nextInt(PORTS.length)] + (rnd.nextInt(4) == 0 ? 1 : 0);
        int dport = PORTS[rnd.nextInt(PORTS.length)] + (rnd.nextInt(4) == 0 ? 1 : 0);
        return new Packet(version, proto.number(), Math.min(sport, 65535), Math.min(dport, 65535), vlan,
                rnd.nextInt(8) == 0, address(rnd, version), address(rnd, version));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void theKernelAgreesWithTheReference(long seed) {
        Random rnd = new Random(seed);
        int matched = 0;
        int tried = 0;
        for (int set = 0; set < SETS; set++) {
            boolean filler = set % 2 == 1;
            List<ClassifierRule> rules = new ArrayList<>();
            int n = 1 + rnd.nextInt(set < SETS / 2 ? 16 : 64);
            for (int i = 0; i < n; i++) {
                rules.add(randomRule(rnd, i, filler));
            }
            ClassifierRules ruleSet = new ClassifierRules(rules);
            classifier.replaceRules(ruleSet);
            for (int k = 0; k < PACKETS_PER_SET; k++) {
                Packet p = randomPacket(rnd);
                byte[] frame = p.frame();
                ClassifierRule expected = reference(ruleSet, p);
                ClassifierCounters before = classifier.counters();
                int verdict = classifier.testRun(TestRun.of(frame)).retval();
                ClassifierCounters delta = classifier.counters().since(before);
                String hit = delta.rules().entrySet().stream().filter(e -> e.getValue().packets() > 0)
                        .map(java.util.Map.Entry::getKey).findFirst().orElse(null);
                String context = "seed " + seed + ", set " + set + ", packet " + p + ", rules " + ruleSet;
                assertEquals(expected == null ? null : expected.name(), hit, context);
                Outcome outcome = expected == null ? (p.laterFragment() ? Outcome.LATER_FRAGMENT : Outcome.PASS_DEFAULT)
                        : switch (expected.action()) {
                            case DROP -> Outcome.DROP;
                            case PASS -> Outcome.PASS_RULE;
                            case REDIRECT -> Outcome.REDIRECT_NO_SOCKET;
                        };
                assertEquals(1, delta.outcome(outcome).packets(), outcome + ": " + context);
                assertEquals(outcome == Outcome.DROP ? XdpAction.DROP : XdpAction.PASS, verdict, context);
                tried++;
                if (expected != null) {
                    matched++;
                }
            }
        }
        // The pools make matches common, and misses too.
        assertTrue(matched > tried / 5 && matched < tried - tried / 10, "matched " + matched + " of " + tried);
    }
}
