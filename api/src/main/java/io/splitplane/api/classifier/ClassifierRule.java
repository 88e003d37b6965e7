package io.splitplane.api.classifier;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One classifier rule: a packet matches when it fits every constraint the rule sets (a null field
 * constrains nothing), and the first matching rule of a {@link ClassifierRules} decides.
 *
 * <p>A rule that no packet could match is refused, naming the field: ports with a protocol that has
 * none, an IPv4 prefix in an IPv6 rule, ICMP with {@code ipVersion: 6}, destination prefixes of one
 * family and source prefixes of the other, later fragments with ports.
 *
 * @param name           identifies the rule (its counter survives rule updates); 1-63 of
 *                       {@code [A-Za-z0-9._-]}, starting with a letter or digit
 * @param action         redirect, pass or drop
 * @param ipVersion      4 or 6, or null for both
 * @param protocol       the L4 protocol, or null for any
 * @param dstPorts       destination ports (UDP, TCP, SCTP), or null for any; without a protocol the
 *                       rule matches UDP, TCP and SCTP
 * @param srcPorts       source ports, likewise
 * @param dstPrefixes    the destination address must be in one of these, or null for any address;
 *                       may mix IPv4 and IPv6
 * @param srcPrefixes    the source address must be in one of these, or null for any address
 * @param vlan           the outermost 802.1Q/802.1ad VLAN id (0-4095), or null for tagged and
 *                       untagged frames alike
 * @param laterFragments whether non-first IP fragments (which carry no L4 header) may match; they
 *                       never match port constraints, and without this they go to the kernel; null
 *                       (absent) means false
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClassifierRule(String name, Action action, Integer ipVersion, Protocol protocol, PortRange dstPorts,
                             PortRange srcPorts, List<IpPrefix> dstPrefixes, List<IpPrefix> srcPrefixes, Integer vlan,
                             @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean laterFragments) {
    /** The longest name: it must fit the classifier's 64-byte counter name with its NUL. */
    public static final int MAX_NAME_LENGTH = 63;
    public static final int MAX_VLAN = 4095;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public ClassifierRule {
        laterFragments = Boolean.TRUE.equals(laterFragments);
        if (name == null || name.isEmpty()) {
            throw InvalidConfigException.field("name", "must be set");
        }
        if (!NAME.matcher(name).matches()) {
            throw InvalidConfigException.field("name", "must be 1-" + MAX_NAME_LENGTH + " letters, digits, '.', '-' or"
                    + " '_', starting with a letter or digit, was '" + name + "'");
        }
        if (action == null) {
            throw InvalidConfigException.field("action", "must be set (redirect, pass or drop)");
        }
        if (ipVersion != null && ipVersion != 4 && ipVersion != 6) {
            throw InvalidConfigException.field("ipVersion", "must be 4 or 6, was " + ipVersion);
        }
        if (vlan != null && (vlan < 0 || vlan > MAX_VLAN)) {
            throw InvalidConfigException.field("vlan", "must be 0-" + MAX_VLAN + ", was " + vlan);
        }
        checkPorts("dstPorts", dstPorts, protocol);
        checkPorts("srcPorts", srcPorts, protocol);
        if (laterFragments && (dstPorts != null || srcPorts != null)) {
            throw InvalidConfigException.field("laterFragments", "later fragments carry no ports, so a rule with "
                    + (dstPorts != null ? "dstPorts" : "srcPorts") + " never matches them; drop the ports or"
                    + " laterFragments");
        }

        // The IP versions a packet matching this rule can have, narrowed field by field.
        Set<Integer> versions = new HashSet<>(Set.of(4, 6));
        if (ipVersion != null) {
            versions.retainAll(Set.of(ipVersion));
        }
        if (protocol != null && protocol.ipVersion() != 0) {
            if (!versions.contains(protocol.ipVersion())) {
                throw InvalidConfigException.field("protocol", protocol + " is IPv" + protocol.ipVersion() + "'s; with"
                        + " ipVersion " + ipVersion + " use " + (protocol.ipVersion() == 4 ? "icmpv6" : "icmp"));
            }
            versions.retainAll(Set.of(protocol.ipVersion()));
        }
        dstPrefixes = checkPrefixes("dstPrefixes", dstPrefixes, versions, ipVersion, protocol);
        srcPrefixes = checkPrefixes("srcPrefixes", srcPrefixes, versions, ipVersion, protocol);
        if (dstPrefixes != null && srcPrefixes != null) {
            Set<Integer> dst = families(dstPrefixes);
            Set<Integer> src = families(srcPrefixes);
            src.retainAll(dst);
            if (src.isEmpty()) {
                throw InvalidConfigException.field("srcPrefixes", "only IPv" + families(srcPrefixes).iterator().next()
                        + " prefixes, but dstPrefixes has only IPv" + dst.iterator().next() + " ones: no packet can"
                        + " match both");
            }
        }
    }

    /** A rule of {@code action} with no constraint yet; narrow it with the {@code with...} methods. */
    public static ClassifierRule of(String name, Action action) {
        return new ClassifierRule(name, action, null, null, null, null, null, null, null, false);
    }

    public ClassifierRule withIpVersion(Integer value) {
        return new ClassifierRule(name, action, value, protocol, dstPorts, srcPorts, dstPrefixes, srcPrefixes, vlan,
                laterFragments);
    }

    public ClassifierRule withProtocol(Protocol value) {
        return new ClassifierRule(name, action, ipVersion, value, dstPorts, srcPorts, dstPrefixes, srcPrefixes, vlan,
                laterFragments);
    }

    public ClassifierRule withDstPorts(PortRange value) {
        return new ClassifierRule(name, action, ipVersion, protocol, value, srcPorts, dstPrefixes, srcPrefixes, vlan,
                laterFragments);
    }

    public ClassifierRule withSrcPorts(PortRange value) {
        return new ClassifierRule(name, action, ipVersion, protocol, dstPorts, value, dstPrefixes, srcPrefixes, vlan,
                laterFragments);
    }

    /** Destination prefixes given as text, e.g. {@code "10.0.0.0/8"}. */
    public ClassifierRule withDstPrefixes(String... value) {
        return new ClassifierRule(name, action, ipVersion, protocol, dstPorts, srcPorts, parseAll(value), srcPrefixes,
                vlan, laterFragments);
    }

    /** Source prefixes given as text. */
    public ClassifierRule withSrcPrefixes(String... value) {
        return new ClassifierRule(name, action, ipVersion, protocol, dstPorts, srcPorts, dstPrefixes, parseAll(value),
                vlan, laterFragments);
    }

    public ClassifierRule withVlan(Integer value) {
        return new ClassifierRule(name, action, ipVersion, protocol, dstPorts, srcPorts, dstPrefixes, srcPrefixes, value,
                laterFragments);
    }

    public ClassifierRule withLaterFragments(boolean value) {
        return new ClassifierRule(name, action, ipVersion, protocol, dstPorts, srcPorts, dstPrefixes, srcPrefixes, vlan,
                value);
    }

    /**
     * The IP versions a packet matching this rule can have: narrowed by {@code ipVersion}, by an
     * ICMP protocol, and by the families of the prefixes.
     */
    public Set<Integer> ipVersions() {
        Set<Integer> versions = new HashSet<>(Set.of(4, 6));
        if (ipVersion != null) {
            versions.retainAll(Set.of(ipVersion));
        }
        if (protocol != null && protocol.ipVersion() != 0) {
            versions.retainAll(Set.of(protocol.ipVersion()));
        }
        if (dstPrefixes != null) {
            versions.retainAll(families(dstPrefixes));
        }
        if (srcPrefixes != null) {
            versions.retainAll(families(srcPrefixes));
        }
        return Set.copyOf(versions);
    }

    private static List<IpPrefix> parseAll(String... texts) {
        List<IpPrefix> prefixes = new ArrayList<>();
        for (String t : texts) {
            prefixes.add(IpPrefix.parse(t));
        }
        return prefixes;
    }

    private static void checkPorts(String field, PortRange ports, Protocol protocol) {
        if (ports != null && protocol != null && !protocol.hasPorts()) {
            throw InvalidConfigException.field(field, "protocol " + protocol + " has no ports (ports exist for udp, tcp"
                    + " and sctp)");
        }
    }

    private static List<IpPrefix> checkPrefixes(String field, List<IpPrefix> prefixes, Set<Integer> versions,
                                                 Integer ipVersion, Protocol protocol) {
        if (prefixes == null) {
            return null;
        }
        if (prefixes.isEmpty()) {
            throw InvalidConfigException.field(field, "must not be empty; leave it out to match every address");
        }
        Set<IpPrefix> seen = new HashSet<>();
        for (int i = 0; i < prefixes.size(); i++) {
            IpPrefix p = prefixes.get(i);
            String at = field + "[" + i + "]";
            if (p == null) {
                throw InvalidConfigException.field(at, "must not be null");
            }
            if (!versions.contains(p.version())) {
                String why = ipVersion != null && ipVersion != p.version() ? "ipVersion is " + ipVersion
                        : "protocol " + protocol + " is IPv" + protocol.ipVersion() + "'s";
                throw InvalidConfigException.field(at, p + " is an IPv" + p.version() + " prefix, but " + why);
            }
            if (!seen.add(p)) {
                throw InvalidConfigException.field(at, "duplicate prefix " + p);
            }
        }
        return List.copyOf(prefixes);
    }

    private static Set<Integer> families(List<IpPrefix> prefixes) {
        Set<Integer> f = new HashSet<>();
        for (IpPrefix p : prefixes) {
            f.add(p.version());
        }
        return f;
    }
}
