package io.splitplane.bpf;

import static io.splitplane.api.classifier.Action.DROP;
import static io.splitplane.api.classifier.Action.PASS;
import static io.splitplane.api.classifier.Action.REDIRECT;
import static io.splitplane.bpf.FrameBuilder.AH;
import static io.splitplane.bpf.FrameBuilder.DSTOPTS;
import static io.splitplane.bpf.FrameBuilder.HOPOPTS;
import static io.splitplane.bpf.FrameBuilder.ROUTING;
import static io.splitplane.bpf.FrameBuilder.TPID_8021AD;
import static io.splitplane.bpf.FrameBuilder.TPID_8021Q;
import static io.splitplane.bpf.FrameBuilder.cut;
import static io.splitplane.bpf.FrameBuilder.ipv4;
import static io.splitplane.bpf.FrameBuilder.ipv6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.PortRange;
import io.splitplane.api.classifier.Protocol;
import io.splitplane.kernel.bpf.BpfException;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.TestRunResult;
import io.splitplane.kernel.bpf.XdpAction;
import io.splitplane.kernel.sys.Errno;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The classifier program in the kernel (BPF_PROG_TEST_RUN) on crafted frames: for each case the
 * verdict, the one outcome counter that moved (by one packet and the frame's bytes) and the one
 * rule counter that moved (or none), with every other counter unchanged. Redirects run without a
 * socket in the XSKMAP, so they must come back as XDP_PASS counted REDIRECT_NO_SOCKET.
 */
class ClassifierVerdictTest {
    private static final String V4A = "10.0.0.1";
    private static final String V4B = "10.0.0.2";
    private static final String V6A = "2001:db8:f::1";
    private static final String V6B = "2001:db8:f::2";

    private static ClassifierRule rule(String name, Action action) {
        return ClassifierRule.of(name, action);
    }

    /** One rule of every kind, in an order where priority matters for some cases. */
    static final ClassifierRules STANDARD = ClassifierRules.of(
            rule("dns", REDIRECT).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(53)),
            rule("blocked-src", DROP).withSrcPrefixes("192.0.2.0/24", "2001:db8:bad::/48"),
            rule("web-range", PASS).withProtocol(Protocol.TCP).withDstPorts(new PortRange(8000, 8999)),
            rule("vlan100", DROP).withVlan(100),
            rule("diameter", REDIRECT).withProtocol(Protocol.SCTP).withDstPorts(PortRange.of(3868)),
            rule("v6-app", REDIRECT).withIpVersion(6).withProtocol(Protocol.UDP).withDstPrefixes("2001:db8:1::/48"),
            rule("v4-net-sport", DROP).withProtocol(Protocol.UDP).withDstPrefixes("10.66.0.0/16")
                    .withSrcPorts(new PortRange(1000, 1999)),
            rule("icmp-net", DROP).withProtocol(Protocol.ICMP).withDstPrefixes("10.99.0.0/16"),
            rule("icmpv6-net", DROP).withProtocol(Protocol.ICMPV6).withDstPrefixes("2001:db8:99::/48"),
            rule("frag4", PASS).withProtocol(Protocol.UDP).withDstPrefixes("10.77.0.0/16").withLaterFragments(true),
            rule("frag6", DROP).withIpVersion(6).withDstPrefixes("2001:db8:77::/48").withLaterFragments(true),
            rule("wide", DROP).withProtocol(Protocol.UDP).withDstPrefixes("10.50.0.0/16").withDstPorts(PortRange.of(5000)),
            rule("narrow", PASS).withDstPrefixes("10.50.1.0/24"),
            rule("gre4", DROP).withIpVersion(4).withProtocol(new Protocol(47)),
            rule("dhcp-sport", REDIRECT).withProtocol(Protocol.UDP).withSrcPorts(new PortRange(67, 68)),
            rule("ssh-nets", DROP).withProtocol(Protocol.TCP).withDstPorts(PortRange.of(22))
                    .withDstPrefixes("10.200.0.0/16", "2001:db8:200::/48"),
            rule("any-l4-ports", REDIRECT).withDstPorts(new PortRange(40000, 40010)),
            rule("src-and-dst", DROP).withSrcPrefixes("172.16.0.0/12").withDstPrefixes("10.88.0.0/16"),
            rule("low-high", PASS).withProtocol(Protocol.UDP).withSrcPorts(new PortRange(0, 0))
                    .withDstPorts(new PortRange(65535, 65535)));

    static final ClassifierRules NONE = ClassifierRules.none();
    static final ClassifierRules DROP_ALL = ClassifierRules.of(rule("everything", DROP));
    static final ClassifierRules FIRST_WINS = ClassifierRules.of(
            rule("first", PASS).withProtocol(Protocol.UDP),
            rule("second", DROP).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(53)));
    static final ClassifierRules VLAN_ZERO = ClassifierRules.of(rule("priority-tagged", DROP).withVlan(0));

    /** Prefix sets the inline tables cannot hold, so they go to the LPM tries. */
    static final ClassifierRules TRIES = ClassifierRules.of(
            rule("host6", DROP).withDstPrefixes("2001:db8:5::1/128"), // longer than /64
            rule("net6", PASS).withProtocol(Protocol.UDP).withDstPrefixes("2001:db8:5::/48"),
            rule("many4", REDIRECT).withSrcPrefixes(manyPrefixes()), // 200 interval starts
            rule("wide4", DROP).withProtocol(Protocol.TCP).withSrcPrefixes("10.60.0.0/16"));

    private static String[] manyPrefixes() {
        String[] p = new String[100];
        for (int i = 0; i < p.length; i++) {
            p[i] = "10.60." + (2 * i) + ".0/24";
        }
        return p;
    }

    /** One row: a frame under a rule set, and what must happen. */
    record Case(String name, ClassifierRules rules, Supplier<byte[]> frame, Outcome outcome, String rule) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, FrameBuilder frame, Outcome outcome, String rule) {
        return new Case(name, STANDARD, frame::build, outcome, rule);
    }

    private static Case c(String name, Supplier<byte[]> frame, Outcome outcome, String rule) {
        return new Case(name, STANDARD, frame, outcome, rule);
    }

    private static Case c(String name, ClassifierRules rules, FrameBuilder frame, Outcome outcome, String rule) {
        return new Case(name, rules, frame::build, outcome, rule);
    }

    /** A frame cut right after {@code extra} bytes of its L4 header (with the IP lengths left as they were). */
    private static Supplier<byte[]> cutInL4(FrameBuilder b, int extra) {
        return () -> {
            byte[] f = b.build();
            return cut(f, b.l4Offset() + extra);
        };
    }

    private static Supplier<byte[]> cutInL3(FrameBuilder b, int extra) {
        return () -> {
            byte[] f = b.build();
            return cut(f, b.l3Offset() + extra);
        };
    }

    static List<Case> cases() {
        Outcome noSocket = Outcome.REDIRECT_NO_SOCKET;
        List<Case> cases = new ArrayList<>(List.of(
                // ---- rule kinds and actions, IPv4 ----
                c("v4 udp dport match redirects (no socket: kernel)", ipv4(V4A, V4B).udp(4000, 53), noSocket, "dns"),
                c("v4 udp other port takes the default", ipv4(V4A, V4B).udp(4000, 54), Outcome.PASS_DEFAULT, null),
                c("v4 tcp to dns port is not udp", ipv4(V4A, V4B).tcp(4000, 53), Outcome.PASS_DEFAULT, null),
                c("v4 src prefix drops", ipv4("192.0.2.5", V4B).udp(4000, 9999), Outcome.DROP, "blocked-src"),
                c("v4 earlier rule wins over src prefix", ipv4("192.0.2.5", V4B).udp(4000, 53), noSocket, "dns"),
                c("v4 src outside the prefix", ipv4("192.0.3.5", V4B).udp(4000, 9999), Outcome.PASS_DEFAULT, null),
                c("tcp port range middle passes by rule", ipv4(V4A, V4B).tcp(4000, 8080), Outcome.PASS_RULE, "web-range"),
                c("tcp port range low end", ipv4(V4A, V4B).tcp(4000, 8000), Outcome.PASS_RULE, "web-range"),
                c("tcp port range high end", ipv4(V4A, V4B).tcp(4000, 8999), Outcome.PASS_RULE, "web-range"),
                c("tcp port range above", ipv4(V4A, V4B).tcp(4000, 9000), Outcome.PASS_DEFAULT, null),
                c("tcp port range below", ipv4(V4A, V4B).tcp(4000, 7999), Outcome.PASS_DEFAULT, null),
                c("sctp dport redirects", ipv4(V4A, V4B).sctp(3868, 3868), noSocket, "diameter"),
                c("sctp other port", ipv4(V4A, V4B).sctp(3868, 3869), Outcome.PASS_DEFAULT, null),
                c("v4 dst prefix and src port range drop", ipv4(V4A, "10.66.3.4").udp(1500, 7), Outcome.DROP,
                        "v4-net-sport"),
                c("v4 dst prefix, src port outside", ipv4(V4A, "10.66.3.4").udp(2000, 7), Outcome.PASS_DEFAULT, null),
                c("v4 src port range, dst outside", ipv4(V4A, "10.67.3.4").udp(1500, 7), Outcome.PASS_DEFAULT, null),
                c("icmp to prefix drops", ipv4(V4A, "10.99.1.1").icmpEcho(), Outcome.DROP, "icmp-net"),
                c("icmp elsewhere passes", ipv4(V4A, "10.98.1.1").icmpEcho(), Outcome.PASS_DEFAULT, null),
                c("udp to the icmp prefix is not icmp", ipv4(V4A, "10.99.1.1").udp(1, 2), Outcome.PASS_DEFAULT, null),
                c("nested prefixes: wide rule first", ipv4(V4A, "10.50.1.5").udp(4000, 5000), Outcome.DROP, "wide"),
                c("nested prefixes: narrow rule", ipv4(V4A, "10.50.1.5").udp(4000, 6000), Outcome.PASS_RULE, "narrow"),
                c("nested prefixes: only in wide", ipv4(V4A, "10.50.2.5").udp(4000, 6000), Outcome.PASS_DEFAULT, null),
                c("nested prefixes: wide only match", ipv4(V4A, "10.50.2.5").udp(4000, 5000), Outcome.DROP, "wide"),
                c("protocol number 47 over ipv4 drops", ipv4(V4A, V4B).l4(47, new byte[24]), Outcome.DROP, "gre4"),
                c("protocol 47 over ipv6 is not ipv4", ipv6(V6A, V6B).l4(47, new byte[24]), Outcome.PASS_DEFAULT, null),
                c("src port range redirects", ipv4(V4A, V4B).udp(68, 67), noSocket, "dhcp-sport"),
                c("two dst prefixes: ipv4 one", ipv4(V4A, "10.200.7.7").tcp(5555, 22), Outcome.DROP, "ssh-nets"),
                c("two dst prefixes: ipv6 one", ipv6(V6A, "2001:db8:200::7").tcp(5555, 22), Outcome.DROP, "ssh-nets"),
                c("two dst prefixes: neither", ipv4(V4A, "10.201.7.7").tcp(5555, 22), Outcome.PASS_DEFAULT, null),
                c("ports without protocol: udp", ipv4(V4A, V4B).udp(1, 40005), noSocket, "any-l4-ports"),
                c("ports without protocol: tcp", ipv6(V6A, V6B).tcp(1, 40010), noSocket, "any-l4-ports"),
                c("ports without protocol: sctp", ipv4(V4A, V4B).sctp(1, 40000), noSocket, "any-l4-ports"),
                c("ports without protocol: not icmp", ipv4(V4A, V4B).icmpEcho(), Outcome.PASS_DEFAULT, null),
                c("src and dst prefixes both match", ipv4("172.20.1.1", "10.88.1.1").tcp(1, 2), Outcome.DROP,
                        "src-and-dst"),
                c("src and dst prefixes: src outside", ipv4("172.32.1.1", "10.88.1.1").tcp(1, 2), Outcome.PASS_DEFAULT,
                        null),
                c("port 0 and port 65535", ipv4(V4A, V4B).udp(0, 65535), Outcome.PASS_RULE, "low-high"),
                // ---- IPv6 ----
                c("v6 udp dport redirects", ipv6(V6A, V6B).udp(4000, 53), noSocket, "dns"),
                c("v6 src prefix drops", ipv6("2001:db8:bad::9", V6B).tcp(4000, 80), Outcome.DROP, "blocked-src"),
                c("v6 dst prefix redirects", ipv6(V6A, "2001:db8:1::5").udp(4000, 777), noSocket, "v6-app"),
                c("v6 dst outside prefix", ipv6(V6A, "2001:db8:2::5").udp(4000, 777), Outcome.PASS_DEFAULT, null),
                c("v6 tcp port range", ipv6(V6A, V6B).tcp(4000, 8500), Outcome.PASS_RULE, "web-range"),
                c("icmpv6 to prefix drops", ipv6(V6A, "2001:db8:99::1").icmpEcho(), Outcome.DROP, "icmpv6-net"),
                c("icmpv6 elsewhere passes", ipv6(V6A, V6B).icmpEcho(), Outcome.PASS_DEFAULT, null),
                c("v6 sctp", ipv6(V6A, V6B).sctp(5, 3868), noSocket, "diameter"),
                // ---- VLAN ----
                c("802.1Q tag 100 drops", ipv4(V4A, V4B).vlan(100).udp(4000, 1234), Outcome.DROP, "vlan100"),
                c("802.1Q tag 200 passes", ipv4(V4A, V4B).vlan(200).udp(4000, 1234), Outcome.PASS_DEFAULT, null),
                c("802.1Q tag 100 but dns first", ipv4(V4A, V4B).vlan(100).udp(4000, 53), noSocket, "dns"),
                c("802.1Q tag 100 over ipv6", ipv6(V6A, V6B).vlan(100).tcp(1, 2), Outcome.DROP, "vlan100"),
                c("QinQ outer 100 matches", ipv4(V4A, V4B).tag(TPID_8021AD, 100).tag(TPID_8021Q, 200).udp(1, 2),
                        Outcome.DROP, "vlan100"),
                c("QinQ inner 100 does not", ipv4(V4A, V4B).tag(TPID_8021AD, 200).tag(TPID_8021Q, 100).udp(1, 2),
                        Outcome.PASS_DEFAULT, null),
                c("QinQ ipv6 redirect", ipv6(V6A, "2001:db8:1::1").tag(TPID_8021AD, 7).tag(TPID_8021Q, 8).udp(1, 2),
                        noSocket, "v6-app"),
                c("double 802.1Q tags, priority bits ignored", ipv4(V4A, V4B).vlan(0xe000 | 100).vlan(5).udp(1, 2),
                        Outcome.DROP, "vlan100"),
                c("three tags are deeper than parsed", ipv4(V4A, V4B).vlan(100).vlan(1).vlan(2).udp(1, 53),
                        Outcome.TOO_DEEP, null),
                // ---- IPv4 options and fragments ----
                c("ipv4 options are skipped", ipv4(V4A, V4B).options(3).udp(4000, 53), noSocket, "dns"),
                c("ipv4 maximal options", ipv4(V4A, V4B).options(10).tcp(4000, 8001), Outcome.PASS_RULE, "web-range"),
                c("ipv4 first fragment classifies by ports", ipv4(V4A, V4B).fragment(0, true).udp(4000, 53), noSocket,
                        "dns"),
                c("ipv4 first fragment: the UDP length covers the whole datagram",
                        ipv4(V4A, V4B).fragment(0, true).udp(4000, 53).udpLen(4008), noSocket, "dns"),
                c("udp length beyond an unfragmented datagram is malformed",
                        ipv4(V4A, V4B).fragment(0, false).udp(4000, 53).udpLen(4008), Outcome.MALFORMED, null),
                c("ipv4 later fragment follows the kernel", ipv4(V4A, V4B).fragment(185, true).udp(4000, 53),
                        Outcome.LATER_FRAGMENT, null),
                c("ipv4 last fragment follows the kernel", ipv4(V4A, V4B).fragment(185, false).udp(4000, 53),
                        Outcome.LATER_FRAGMENT, null),
                c("ipv4 later fragment with an opted-in rule", ipv4(V4A, "10.77.0.9").fragment(185, false).udp(1, 2),
                        Outcome.PASS_RULE, "frag4"),
                c("opted-in rule still matches whole datagrams", ipv4(V4A, "10.77.0.9").udp(1, 2), Outcome.PASS_RULE,
                        "frag4"),
                // ---- IPv6 extension headers and fragments ----
                c("ipv6 hop-by-hop, routing, dstopts skipped",
                        ipv6(V6A, V6B).extension(HOPOPTS).extension(ROUTING).extension(DSTOPTS).udp(4000, 53), noSocket,
                        "dns"),
                c("ipv6 AH skipped", ipv6(V6A, V6B).extension(AH).tcp(4000, 8002), Outcome.PASS_RULE, "web-range"),
                c("ipv6 six extension headers", ipv6(V6A, V6B).extension(HOPOPTS).extension(DSTOPTS).extension(ROUTING)
                        .extension(DSTOPTS).extension(ROUTING).extension(DSTOPTS).udp(4000, 53), noSocket, "dns"),
                c("ipv6 seven extension headers are too deep", ipv6(V6A, V6B).extension(HOPOPTS).extension(DSTOPTS)
                        .extension(ROUTING).extension(DSTOPTS).extension(ROUTING).extension(DSTOPTS).extension(DSTOPTS)
                        .udp(4000, 53), Outcome.TOO_DEEP, null),
                c("ipv6 first fragment classifies by ports", ipv6(V6A, V6B).fragment(0, true).udp(4000, 53), noSocket,
                        "dns"),
                c("ipv6 first fragment: the UDP length covers the whole datagram",
                        ipv6(V6A, V6B).fragment(0, true).udp(4000, 53).udpLen(4008), noSocket, "dns"),
                c("ipv6 later fragment follows the kernel", ipv6(V6A, V6B).fragment(100, true).udp(4000, 53),
                        Outcome.LATER_FRAGMENT, null),
                c("ipv6 later fragment with an opted-in rule", ipv6(V6A, "2001:db8:77::1").extension(DSTOPTS)
                        .fragment(100, false).udp(1, 2), Outcome.DROP, "frag6"),
                // ---- not IP ----
                c("arp is not ip", FrameBuilder.other(FrameBuilder.ETH_P_ARP, 28), Outcome.NOT_IP, null),
                c("lldp (unknown ethertype) is not ip", FrameBuilder.other(FrameBuilder.ETH_P_LLDP, 40), Outcome.NOT_IP,
                        null),
                c("tagged arp is not ip", FrameBuilder.other(FrameBuilder.ETH_P_ARP, 28).vlan(100), Outcome.NOT_IP, null),
                c("bare ethernet header", FrameBuilder.other(0x0800, 0), Outcome.TRUNCATED, null),
                // ---- truncated: the frame ends inside a header or before the IP length ----
                c("truncated in the vlan tag", () -> cut(ipv4(V4A, V4B).vlan(100).udp(1, 53).build(), 16),
                        Outcome.TRUNCATED, null),
                c("truncated in the second vlan tag", () -> cut(ipv4(V4A, V4B).vlan(1).vlan(2).udp(1, 53).build(), 20),
                        Outcome.TRUNCATED, null),
                c("truncated in the ipv4 header", cutInL3(ipv4(V4A, V4B).udp(1, 53), 19), Outcome.TRUNCATED, null),
                c("truncated in the ipv4 options", cutInL3(ipv4(V4A, V4B).options(4).udp(1, 53), 30), Outcome.TRUNCATED,
                        null),
                c("ipv4 tot_len beyond the frame", ipv4(V4A, V4B).udp(1, 53).totLen(200), Outcome.TRUNCATED, null),
                c("truncated in the udp header", cutInL4(ipv4(V4A, V4B).udp(1, 53), 7), Outcome.TRUNCATED, null),
                c("truncated in the tcp header", cutInL4(ipv4(V4A, V4B).tcp(1, 8080), 19), Outcome.TRUNCATED, null),
                c("truncated in the icmp header", cutInL4(ipv4(V4A, V4B).icmpEcho(), 5), Outcome.TRUNCATED, null),
                c("truncated in the ipv6 header", cutInL3(ipv6(V6A, V6B).udp(1, 53), 39), Outcome.TRUNCATED, null),
                c("ipv6 payload_len beyond the frame", ipv6(V6A, V6B).udp(1, 53).payloadLen(500), Outcome.TRUNCATED,
                        null),
                c("truncated in an ipv6 extension header", cutInL3(ipv6(V6A, V6B).extension(HOPOPTS).udp(1, 53), 43),
                        Outcome.TRUNCATED, null),
                c("truncated in the sctp header", cutInL4(ipv6(V6A, V6B).sctp(1, 3868), 11), Outcome.TRUNCATED, null),
                // ---- malformed: impossible header values ----
                c("ipv4 ihl 4", ipv4(V4A, V4B).udp(1, 53).ihl(4), Outcome.MALFORMED, null),
                c("ipv4 ihl 0", ipv4(V4A, V4B).udp(1, 53).ihl(0), Outcome.MALFORMED, null),
                c("ipv4 header says version 6", ipv4(V4A, V4B).udp(1, 53).versionField(6), Outcome.MALFORMED, null),
                c("ipv4 tot_len below the header", ipv4(V4A, V4B).udp(1, 53).totLen(19), Outcome.MALFORMED, null),
                c("ipv4 tot_len ends inside the udp header", ipv4(V4A, V4B).udp(1, 53).totLen(24), Outcome.MALFORMED,
                        null),
                c("ipv4 ihl beyond tot_len", ipv4(V4A, V4B).udp(1, 53).ihl(15).totLen(40), Outcome.MALFORMED, null),
                c("udp length beyond the datagram", ipv4(V4A, V4B).udp(1, 53).udpLen(300), Outcome.MALFORMED, null),
                c("udp length below its header", ipv4(V4A, V4B).udp(1, 53).udpLen(7), Outcome.MALFORMED, null),
                c("tcp data offset below 5", ipv4(V4A, V4B).tcp(1, 8080).tcpDoff(4), Outcome.MALFORMED, null),
                c("tcp data offset beyond the datagram", ipv4(V4A, V4B).tcp(1, 8080).tcpDoff(15).payload(0),
                        Outcome.MALFORMED, null),
                c("ipv6 header says version 4", ipv6(V6A, V6B).udp(1, 53).versionField(4), Outcome.MALFORMED, null),
                c("ipv6 extension longer than the payload", ipv6(V6A, V6B).extension(DSTOPTS).udp(1, 53)
                        .firstExtensionLength(20), Outcome.MALFORMED, null),
                c("ipv6 payload_len ends inside the udp header", ipv6(V6A, V6B).udp(1, 53).payloadLen(6),
                        Outcome.MALFORMED, null),
                c("icmp shorter than its header", ipv4(V4A, V4B).icmpEcho().payload(0).totLen(26), Outcome.MALFORMED,
                        null),
                // ---- lengths that are fine ----
                c("ethernet padding after a short datagram", ipv4(V4A, V4B).udp(1, 53).payload(0).padTo(60), noSocket,
                        "dns"),
                // ---- other rule sets ----
                c("no rules: everything passes", NONE, ipv4(V4A, V4B).udp(1, 53), Outcome.PASS_DEFAULT, null),
                c("catch-all drop rule", DROP_ALL, ipv6(V6A, V6B).tcp(1, 2), Outcome.DROP, "everything"),
                c("catch-all drop leaves non-ip alone", DROP_ALL, FrameBuilder.other(FrameBuilder.ETH_P_ARP, 28),
                        Outcome.NOT_IP, null),
                c("catch-all drop, later fragment not opted in", DROP_ALL, ipv4(V4A, V4B).fragment(10, false).udp(1, 2),
                        Outcome.LATER_FRAGMENT, null),
                c("first matching rule wins", FIRST_WINS, ipv4(V4A, V4B).udp(1, 53), Outcome.PASS_RULE, "first"),
                c("vlan 0 rule matches priority-tagged frames", VLAN_ZERO, ipv4(V4A, V4B).vlan(0).udp(1, 2), Outcome.DROP,
                        "priority-tagged"),
                c("vlan 0 rule does not match untagged frames", VLAN_ZERO, ipv4(V4A, V4B).udp(1, 2),
                        Outcome.PASS_DEFAULT, null),
                // ---- prefixes in the LPM tries ----
                c("trie: /128 host drops", TRIES, ipv6(V6A, "2001:db8:5::1").tcp(1, 2), Outcome.DROP, "host6"),
                c("trie: host first, though its /48 contains it", TRIES, ipv6(V6A, "2001:db8:5::1").udp(1, 2),
                        Outcome.DROP, "host6"),
                c("trie: the /48 around the host", TRIES, ipv6(V6A, "2001:db8:5::2").udp(1, 2), Outcome.PASS_RULE,
                        "net6"),
                c("trie: the /48, wrong protocol", TRIES, ipv6(V6A, "2001:db8:5::2").tcp(1, 2), Outcome.PASS_DEFAULT,
                        null),
                c("trie: one of a hundred source prefixes", TRIES, ipv4("10.60.198.9", V4B).udp(1, 2), noSocket,
                        "many4"),
                c("trie: the /16 around them", TRIES, ipv4("10.60.199.9", V4B).tcp(1, 2), Outcome.DROP, "wide4"),
                c("trie: outside every prefix", TRIES, ipv4("10.61.0.1", V4B).tcp(1, 2), Outcome.PASS_DEFAULT, null)));
        return cases;
    }

    private static Classifier classifier;
    private static ClassifierRules current;

    @BeforeAll
    static void load() {
        classifier = Classifier.load();
    }

    @AfterAll
    static void close() {
        classifier.close();
    }

    private static void use(ClassifierRules rules) {
        if (!rules.equals(current)) {
            classifier.replaceRules(rules);
            current = rules;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdictAndCountersMatch(Case testCase) {
        use(testCase.rules());
        byte[] frame = testCase.frame().get();
        ClassifierCounters before = classifier.counters();
        TestRunResult result = classifier.testRun(TestRun.of(frame));
        ClassifierCounters delta = classifier.counters().since(before);

        int expected = testCase.outcome().passed() ? XdpAction.PASS : XdpAction.DROP;
        assertEquals(XdpAction.name(expected), XdpAction.name(result.retval()), "verdict");
        Counter one = new Counter(1, frame.length);
        for (Outcome o : Outcome.values()) {
            assertEquals(o == testCase.outcome() ? one : Counter.ZERO, delta.outcome(o), "outcome " + o);
        }
        for (String name : delta.rules().keySet()) {
            assertEquals(name.equals(testCase.rule()) ? one : Counter.ZERO, delta.rule(name), "rule " + name);
        }
        if (testCase.rule() != null) {
            assertTrue(delta.rules().containsKey(testCase.rule()), "rule " + testCase.rule() + " is in the set");
        }
    }

    @Test
    void atLeastFiftyDistinctCases() {
        List<Case> all = cases();
        Set<String> names = new HashSet<>();
        all.forEach(c -> assertTrue(names.add(c.name()), "duplicate case name " + c.name()));
        assertTrue(all.size() >= 50, "cases: " + all.size());
        for (Outcome o : Outcome.values()) {
            if (o != Outcome.REDIRECT) { // needs a bound socket: ClassifierTrafficTest
                assertTrue(all.stream().anyMatch(c -> c.outcome() == o), "no case for " + o);
            }
        }
    }

    @Test
    void theRuleSetsExerciseBothPrefixModes() {
        int standard = RuleCompiler.compile(STANDARD).flags();
        int tries = RuleCompiler.compile(TRIES).flags();
        int anyTrie = RuleSetLayout.F_DST4_TRIE | RuleSetLayout.F_SRC4_TRIE | RuleSetLayout.F_DST6_TRIE
                | RuleSetLayout.F_SRC6_TRIE;
        assertEquals(RuleSetLayout.F_DST4_TABLE | RuleSetLayout.F_SRC4_TABLE | RuleSetLayout.F_DST6_TABLE
                | RuleSetLayout.F_SRC6_TABLE, standard & ~anyTrie & 0xff, "STANDARD: inline tables");
        assertEquals(0, standard & anyTrie);
        assertEquals(RuleSetLayout.F_DST6_TRIE | RuleSetLayout.F_SRC4_TRIE, tries & 0xff, "TRIES: tries");
    }

    @Test
    void theKernelRefusesFramesShorterThanAnEthernetHeader() {
        // So "truncated at the Ethernet header" cannot reach the program; the parser still checks it.
        BpfException e = assertThrows(BpfException.class, () -> classifier.testRun(TestRun.of(new byte[13])));
        assertEquals(Errno.EINVAL, e.errno());
    }
}
