package io.splitplane.api.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules' JSON form as the operator writes it and the CNI reads it, and every refusal, word for word. */
class ClassifierRulesJsonTest {
    private static final String EXAMPLE = """
            {"rules": [
              {"name": "dns", "action": "redirect", "protocol": "udp", "dstPorts": "53"},
              {"name": "app", "action": "redirect", "protocol": "udp", "dstPorts": "10000-10999",
               "dstPrefixes": ["10.1.0.0/16", "2001:db8:1::/48"], "vlan": 100},
              {"name": "gre", "action": "pass", "ipVersion": 4, "protocol": 47, "laterFragments": true},
              {"name": "blocked", "action": "drop", "srcPrefixes": ["192.0.2.0/24", "198.51.100.7"]},
              {"name": "sctp-any", "action": "drop", "protocol": "132", "srcPorts": 9}
            ]}
            """;

    private static ClassifierRules read(String json) {
        return ConfigJson.read(json, ClassifierRules.class, "rules.json");
    }

    @Test
    void readsTheDocumentedExample() {
        ClassifierRules rules = read(EXAMPLE);
        assertEquals(5, rules.rules().size());
        ClassifierRule dns = rules.rules().get(0);
        assertEquals(ClassifierRule.of("dns", Action.REDIRECT).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(53)),
                dns);
        ClassifierRule app = rules.rules().get(1);
        assertEquals(new PortRange(10000, 10999), app.dstPorts());
        assertEquals(List.of(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("2001:db8:1::/48")), app.dstPrefixes());
        assertEquals(100, app.vlan());
        assertEquals(Set.of(4, 6), app.ipVersions());
        ClassifierRule gre = rules.rules().get(2);
        assertEquals(new Protocol(47), gre.protocol());
        assertEquals(true, gre.laterFragments());
        assertEquals(Set.of(4), gre.ipVersions());
        ClassifierRule blocked = rules.rules().get(3);
        assertEquals(Action.DROP, blocked.action());
        assertEquals(IpPrefix.parse("198.51.100.7/32"), blocked.srcPrefixes().get(1));
        assertEquals(Set.of(4), blocked.ipVersions());
        assertEquals(Protocol.SCTP, rules.rules().get(4).protocol());
        assertEquals(PortRange.of(9), rules.rules().get(4).srcPorts());
    }

    @Test
    void roundTripsThroughJson() {
        ClassifierRules rules = read(EXAMPLE);
        String json = ConfigJson.write(rules);
        assertEquals(rules, read(json));
        // Canonical text: absent fields stay absent, prefixes always carry their length.
        assertEquals("{\"name\":\"blocked\",\"action\":\"drop\",\"srcPrefixes\":[\"192.0.2.0/24\",\"198.51.100.7/32\"]}",
                ConfigJson.write(rules.rules().get(3)));
        assertEquals("{\"name\":\"gre\",\"action\":\"pass\",\"ipVersion\":4,\"protocol\":\"47\",\"laterFragments\":true}",
                ConfigJson.write(rules.rules().get(2)));
        assertEquals("{\"rules\":[]}", ConfigJson.write(read("{}")));
        assertEquals(ClassifierRules.none(), read("{\"rules\":null}"));
    }

    @Test
    void sixtyFourRulesFit() {
        StringBuilder json = new StringBuilder("{\"rules\":[");
        for (int i = 0; i < ClassifierRules.MAX_RULES; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"r").append(i).append("\",\"action\":\"pass\"}");
        }
        assertEquals(64, read(json.append("]}").toString()).rules().size());
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("{\"rules\":[{\"action\":\"pass\"}]}",
                        "invalid config in rules.json: rules[0].name: must be set"),
                Arguments.of("{\"rules\":[{\"name\":\"a b\",\"action\":\"pass\"}]}",
                        "invalid config in rules.json: rules[0].name: must be 1-63 letters, digits, '.', '-' or '_',"
                                + " starting with a letter or digit, was 'a b'"),
                Arguments.of("{\"rules\":[{\"name\":\"" + "x".repeat(64) + "\",\"action\":\"pass\"}]}",
                        "invalid config in rules.json: rules[0].name: must be 1-63 letters, digits, '.', '-' or '_',"
                                + " starting with a letter or digit, was '" + "x".repeat(64) + "'"),
                Arguments.of("{\"rules\":[{\"name\":\"a\"}]}",
                        "invalid config in rules.json: rules[0].action: must be set (redirect, pass or drop)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"forward\"}]}",
                        "invalid config in rules.json: rules[0].action: unknown action 'forward' (known: redirect,"
                                + " pass, drop)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"ipVersion\":5}]}",
                        "invalid config in rules.json: rules[0].ipVersion: must be 4 or 6, was 5"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"protocol\":\"udpp\"}]}",
                        "invalid config in rules.json: rules[0].protocol: unknown protocol 'udpp' (known: udp, tcp,"
                                + " sctp, icmp, icmpv6, or a number 0-255)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"protocol\":256}]}",
                        "invalid config in rules.json: rules[0].protocol: protocol number must be 0-255, was 256"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPorts\":\"70000\"}]}",
                        "invalid config in rules.json: rules[0].dstPorts: 70000 is not a port (0-65535)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPorts\":\"2000-1000\"}]}",
                        "invalid config in rules.json: rules[0].dstPorts: range 2000-1000 ends before it starts"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"srcPorts\":\"http\"}]}",
                        "invalid config in rules.json: rules[0].srcPorts: 'http' is not a port or a range of ports"
                                + " (e.g. 53 or 1000-2000)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"srcPorts\":\"1-2-3\"}]}",
                        "invalid config in rules.json: rules[0].srcPorts: '1-2-3' is not a port or a range of ports"
                                + " (e.g. 53 or 1000-2000)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"protocol\":\"icmp\",\"dstPorts\":\"1\"}]}",
                        "invalid config in rules.json: rules[0].dstPorts: protocol icmp has no ports (ports exist for"
                                + " udp, tcp and sctp)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"protocol\":47,\"srcPorts\":\"1\"}]}",
                        "invalid config in rules.json: rules[0].srcPorts: protocol 47 has no ports (ports exist for"
                                + " udp, tcp and sctp)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"protocol\":\"icmp\",\"ipVersion\":6}]}",
                        "invalid config in rules.json: rules[0].protocol: icmp is IPv4's; with ipVersion 6 use icmpv6"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"protocol\":\"icmpv6\",\"ipVersion\":4}]}",
                        "invalid config in rules.json: rules[0].protocol: icmpv6 is IPv6's; with ipVersion 4 use icmp"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"ipVersion\":6,"
                                + "\"dstPrefixes\":[\"2001:db8::/32\",\"10.0.0.0/8\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[1]: 10.0.0.0/8 is an IPv4 prefix, but"
                                + " ipVersion is 6"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"protocol\":\"icmp\","
                                + "\"srcPrefixes\":[\"2001:db8::/32\"]}]}",
                        "invalid config in rules.json: rules[0].srcPrefixes[0]: 2001:db8::/32 is an IPv6 prefix, but"
                                + " protocol icmp is IPv4's"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"10.0.0.0/8\"],"
                                + "\"srcPrefixes\":[\"2001:db8::/32\"]}]}",
                        "invalid config in rules.json: rules[0].srcPrefixes: only IPv6 prefixes, but dstPrefixes has"
                                + " only IPv4 ones: no packet can match both"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"10.0.0.1/8\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[0]: 10.0.0.1/8 has host bits set; the"
                                + " network is 10.0.0.0/8"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"2001:db8::1/64\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[0]: 2001:db8::1/64 has host bits set; the"
                                + " network is 2001:db8::/64"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"10.0.0.256/32\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[0]: '10.0.0.256/32' is not an IPv4 or IPv6"
                                + " prefix (e.g. 10.1.0.0/16, 2001:db8::/32)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"010.0.0.0/8\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[0]: '010.0.0.0/8' is not an IPv4 or IPv6"
                                + " prefix (e.g. 10.1.0.0/16, 2001:db8::/32)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"example.com\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[0]: 'example.com' is not an IPv4 or IPv6"
                                + " prefix (e.g. 10.1.0.0/16, 2001:db8::/32)"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"10.0.0.0/33\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[0]: '10.0.0.0/33': an IPv4 prefix length"
                                + " is at most 32"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"10.0.0.0/\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[0]: '10.0.0.0/' has no valid prefix length"
                                + " after '/'"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"fe80::1%eth0\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[0]: 'fe80::1%eth0': write the IPv6 address"
                                + " without zone or brackets"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[\"::ffff:10.0.0.1\"]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes[0]: '::ffff:10.0.0.1' is an IPv4-mapped IPv6"
                                + " address; write the IPv4 prefix instead"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPrefixes\":[]}]}",
                        "invalid config in rules.json: rules[0].dstPrefixes: must not be empty; leave it out to match"
                                + " every address"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\","
                                + "\"srcPrefixes\":[\"10.0.0.0/8\",\"10.0.0.0/8\"]}]}",
                        "invalid config in rules.json: rules[0].srcPrefixes[1]: duplicate prefix 10.0.0.0/8"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"vlan\":4096}]}",
                        "invalid config in rules.json: rules[0].vlan: must be 0-4095, was 4096"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"dstPorts\":\"53\","
                                + "\"laterFragments\":true}]}",
                        "invalid config in rules.json: rules[0].laterFragments: later fragments carry no ports, so a"
                                + " rule with dstPorts never matches them; drop the ports or laterFragments"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\"},{\"name\":\"a\",\"action\":\"drop\"}]}",
                        "invalid config in rules.json: rules[1].name: duplicate rule name 'a' (rules[0] has it too)"),
                Arguments.of("{\"rules\":[null]}",
                        "invalid config in rules.json: rules[0]: must not be null"),
                Arguments.of("{\"rules\":[{\"name\":\"a\",\"action\":\"pass\",\"port\":53}]}",
                        "invalid config in rules.json: rules[0].port: unknown field 'port' (known: [action, dstPorts,"
                                + " dstPrefixes, ipVersion, laterFragments, name, protocol, srcPorts, srcPrefixes, vlan])"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refusesImpossibleRulesNamingTheField(String json, String message) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> read(json));
        assertEquals(message, e.getMessage());
    }

    @Test
    void recordsBuiltInJavaRefuseTheSameWay() {
        InvalidConfigException vlan = assertThrows(InvalidConfigException.class,
                () -> ClassifierRule.of("x", Action.DROP).withVlan(5000));
        assertEquals("invalid config: vlan: must be 0-4095, was 5000", vlan.getMessage());
        InvalidConfigException ports = assertThrows(InvalidConfigException.class,
                () -> ClassifierRule.of("x", Action.DROP).withProtocol(Protocol.ICMPV6).withDstPorts(PortRange.of(1)));
        assertEquals("invalid config: dstPorts: protocol icmpv6 has no ports (ports exist for udp, tcp and sctp)",
                ports.getMessage());
        InvalidConfigException names = assertThrows(InvalidConfigException.class, () -> ClassifierRules.of(
                ClassifierRule.of("x", Action.DROP), ClassifierRule.of("y", Action.PASS), ClassifierRule.of("x", Action.PASS)));
        assertEquals("invalid config: rules[2].name: duplicate rule name 'x' (rules[0] has it too)", names.getMessage());
        InvalidConfigException range = assertThrows(InvalidConfigException.class, () -> new PortRange(5, 4));
        assertEquals("invalid config: range 5-4 ends before it starts", range.getMessage());
    }

    @Test
    void moreThanSixtyFourRulesAreRefused() {
        StringBuilder json = new StringBuilder("{\"rules\":[");
        for (int i = 0; i <= ClassifierRules.MAX_RULES; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"r").append(i).append("\",\"action\":\"pass\"}");
        }
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> read(json.append("]}").toString()));
        assertEquals("invalid config in rules.json: rules: at most 64 rules, was 65", e.getMessage());
    }
}
