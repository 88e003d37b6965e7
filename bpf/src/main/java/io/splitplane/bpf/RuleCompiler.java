package io.splitplane.bpf;

import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.IpPrefix;
import io.splitplane.api.classifier.PortRange;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns validated rule records into the classifier's bit-vector tables ({@link CompiledRules}), and
 * refuses what only the classifier's limits rule out (the records check everything else).
 *
 * <p>For every field, a value's mask is the set of rules that value satisfies, rules that do not
 * constrain the field included; the program ANDs the masks of a packet's fields and takes the lowest
 * set bit, the first matching rule. Prefixes: see {@link PrefixMatch}.
 */
final class RuleCompiler {
    /** SP_MAX_PREFIXES: trie entries per family and direction, shared by the active and the next set. */
    static final int MAX_TRIE_ENTRIES = 8192;
    /** What one rule set may use of a trie: half, so that the next set always fits beside it. */
    static final int MAX_PREFIXES_PER_SET = MAX_TRIE_ENTRIES / 2;

    private RuleCompiler() {
    }

    static CompiledRules compile(ClassifierRules rules) {
        List<ClassifierRule> all = rules.rules();
        List<String> names = new ArrayList<>();
        int[] actions = new int[all.size()];
        long anyDst = 0;
        long anySrc = 0;
        long[] versions = new long[2];
        long portless = 0;
        long laterFragments = 0;
        long[] protos = new long[RuleSetLayout.PROTOS];
        long noProtocol = 0;
        long noDstPort = 0;
        long noSrcPort = 0;
        long noVlan = 0;
        List<ClassTable.Range> dstPorts = new ArrayList<>();
        List<ClassTable.Range> srcPorts = new ArrayList<>();
        List<ClassTable.Range> vlans = new ArrayList<>();
        Map<PrefixTrie, Map<IpPrefix, Long>> listed = new EnumMap<>(PrefixTrie.class);
        for (PrefixTrie t : PrefixTrie.values()) {
            listed.put(t, new LinkedHashMap<>());
        }

        for (int i = 0; i < all.size(); i++) {
            ClassifierRule rule = all.get(i);
            long bit = 1L << i;
            names.add(rule.name());
            actions[i] = action(rule);
            Set<Integer> v = rule.ipVersions();
            if (v.contains(4)) {
                versions[0] |= bit;
            }
            if (v.contains(6)) {
                versions[1] |= bit;
            }
            if (rule.protocol() == null) {
                noProtocol |= bit;
            } else {
                protos[rule.protocol().number()] |= bit;
            }
            noDstPort |= range(rule.dstPorts(), i, dstPorts);
            noSrcPort |= range(rule.srcPorts(), i, srcPorts);
            if (rule.dstPorts() == null && rule.srcPorts() == null) {
                portless |= bit;
            }
            if (rule.laterFragments()) {
                laterFragments |= bit;
            }
            if (rule.vlan() == null) {
                noVlan |= bit;
            } else {
                vlans.add(new ClassTable.Range(rule.vlan(), rule.vlan(), i));
            }
            if (rule.dstPrefixes() == null) {
                anyDst |= bit;
            } else {
                for (IpPrefix p : rule.dstPrefixes()) {
                    listed.get(PrefixTrie.of(p.version(), true)).merge(p, bit, (a, b) -> a | b);
                }
            }
            if (rule.srcPrefixes() == null) {
                anySrc |= bit;
            } else {
                for (IpPrefix p : rule.srcPrefixes()) {
                    listed.get(PrefixTrie.of(p.version(), false)).merge(p, bit, (a, b) -> a | b);
                }
            }
        }
        for (int p = 0; p < protos.length; p++) {
            protos[p] |= noProtocol;
        }

        Map<PrefixTrie, PrefixMatch> prefixes = new EnumMap<>(PrefixTrie.class);
        for (PrefixTrie t : PrefixTrie.values()) {
            Map<IpPrefix, Long> l = listed.get(t);
            if (l.size() > MAX_PREFIXES_PER_SET) {
                throw InvalidConfigException.field("rules", l.size() + " distinct " + t.description() + " prefixes;"
                        + " the classifier holds at most " + MAX_PREFIXES_PER_SET + " per rule set");
            }
            prefixes.put(t, PrefixMatch.of(t.ipVersion(), l, t.destination() ? anyDst : anySrc));
        }
        return new CompiledRules(names, actions, anyDst, anySrc, versions, portless, laterFragments, protos,
                ClassTable.build(RuleSetLayout.PORTS, dstPorts, noDstPort),
                ClassTable.build(RuleSetLayout.PORTS, srcPorts, noSrcPort),
                ClassTable.build(RuleSetLayout.VLAN_KEYS, vlans, noVlan), prefixes);
    }

    /** Adds the rule's port range to {@code ranges}; returns its bit if it has none (it matches every port). */
    private static long range(PortRange ports, int rule, List<ClassTable.Range> ranges) {
        if (ports == null) {
            return 1L << rule;
        }
        ranges.add(new ClassTable.Range(ports.from(), ports.to(), rule));
        return 0;
    }

    private static int action(ClassifierRule rule) {
        return switch (rule.action()) {
            case PASS -> RuleLayout.ACTION_PASS;
            case DROP -> RuleLayout.ACTION_DROP;
            case REDIRECT -> RuleLayout.ACTION_REDIRECT;
        };
    }
}
