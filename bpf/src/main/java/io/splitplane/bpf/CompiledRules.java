package io.splitplane.bpf;

import io.splitplane.api.classifier.IpPrefix;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A rule set in map form, before it gets a generation and counter slots: what {@link RuleCompiler}
 * makes and {@link RuleSetWriter} installs. Bit i of every mask is rule i.
 *
 * @param names              the rules' names, in priority order
 * @param actions            their {@code enum sp_action} values, same order
 * @param anyDst             rules without a destination prefix
 * @param anySrc             rules without a source prefix
 * @param versionRules       [0]: rules an IPv4 packet may match, [1]: IPv6
 * @param portlessRules      rules without port constraints
 * @param laterFragmentRules rules a non-first fragment may match
 * @param protoRules         by IP protocol number (256)
 * @param dstPorts           destination port classes
 * @param srcPorts           source port classes
 * @param vlans              VLAN classes, by VLAN id and {@link RuleSetLayout#NO_VLAN} for untagged frames
 * @param prefixes           per family and direction: how prefixes are matched
 */
record CompiledRules(List<String> names, int[] actions, long anyDst, long anySrc, long[] versionRules,
                     long portlessRules, long laterFragmentRules, long[] protoRules, ClassTable dstPorts,
                     ClassTable srcPorts, ClassTable vlans, Map<PrefixTrie, PrefixMatch> prefixes) {
    CompiledRules {
        names = List.copyOf(names);
        prefixes = new EnumMap<>(prefixes);
    }

    /**
     * SP_F_*: table or trie for each family and direction that has prefixes, and whether the VLAN
     * table is in use.
     */
    int flags() {
        int f = 0;
        if (vlans.rules().length > 1) {
            f |= RuleSetLayout.F_VLAN;
        }
        for (Map.Entry<PrefixTrie, PrefixMatch> e : prefixes.entrySet()) {
            if (e.getValue() instanceof PrefixMatch.Table) {
                f |= e.getKey().tableFlag();
            } else if (e.getValue() instanceof PrefixMatch.Trie) {
                f |= e.getKey().trieFlag();
            }
        }
        return f;
    }

    /**
     * The fast paths' first mask ({@code fast_rules}, by {@link RuleSetLayout#fastIndex}): the rules an
     * untagged UDP or TCP packet of each IP version may match by version, protocol and VLAN.
     */
    long[] fastRules() {
        long untagged = vlans.rulesOf(RuleSetLayout.NO_VLAN);
        long[] fast = new long[4];
        for (int version : new int[] {4, 6}) {
            for (int protocol : new int[] {RuleSetLayout.IPPROTO_UDP, RuleSetLayout.IPPROTO_TCP}) {
                fast[RuleSetLayout.fastIndex(version, protocol)] =
                        versionRules[version == 6 ? 1 : 0] & protoRules[protocol] & untagged;
            }
        }
        return fast;
    }

    /** The trie entries of {@code trie} (empty unless it is in trie mode). */
    Map<IpPrefix, Long> trieEntries(PrefixTrie trie) {
        return prefixes.get(trie) instanceof PrefixMatch.Trie t ? t.entries() : Map.of();
    }
}
