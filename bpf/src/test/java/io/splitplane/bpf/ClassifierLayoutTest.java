package io.splitplane.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.kernel.testing.CHeaderProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The *Layout classes and constants against classifier.h, the header the BPF program is compiled
 * with: a C program including it (built and run by {@link CHeaderProbe}) prints sizeof/offsetof and
 * the constants, and every number must match.
 */
class ClassifierLayoutTest {
    private static final Path HEADER_DIR = Path.of("src/main/bpf");

    /** Past 32 KiB a BPF load cannot encode the offset, and each read of a field takes three instructions. */
    @Test
    void whatEveryPacketMayReadLiesWithinTheFirst32KiB() {
        long end = RuleSetLayout.SRC6 + PrefixTableLayout.SIZE;
        assertTrue(end <= 32 * 1024, "the masks, rules and prefix tables end at " + end);
        assertEquals(end, RuleSetLayout.DPORT_CLASS, "the byte tables come right after them");
    }

    @Test
    void layoutsAndConstantsMatchClassifierH() {
        assertTrue(Files.exists(HEADER_DIR.resolve("classifier.h")), "run from the bpf module directory");
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("sizeof(sp_rule)", RuleLayout.SIZE);
        java.put("sp_rule.counter", RuleLayout.COUNTER);
        java.put("sp_rule.action", RuleLayout.ACTION);

        java.put("sizeof(sp_prefix_table)", PrefixTableLayout.SIZE);
        java.put("sp_prefix_table.start", PrefixTableLayout.START);
        java.put("sp_prefix_table.rules", PrefixTableLayout.RULES);
        java.put("sp_prefix_table.region_lo", PrefixTableLayout.REGION_LO);
        java.put("sp_prefix_table.region_hi", PrefixTableLayout.REGION_HI);
        java.put("sp_prefix_table.block_shift", PrefixTableLayout.BLOCK_SHIFT);
        java.put("sp_prefix_table.last", PrefixTableLayout.LAST);
        java.put("sp_prefix_table.top_step", PrefixTableLayout.TOP_STEP);

        java.put("sizeof(sp_ruleset)", RuleSetLayout.SIZE);
        java.put("sp_ruleset.generation", RuleSetLayout.GENERATION);
        java.put("sp_ruleset.rule_count", RuleSetLayout.RULE_COUNT);
        java.put("sp_ruleset.flags", RuleSetLayout.FLAGS);
        java.put("sp_ruleset.any_dst", RuleSetLayout.ANY_DST);
        java.put("sp_ruleset.any_src", RuleSetLayout.ANY_SRC);
        java.put("sp_ruleset.any_dport", RuleSetLayout.ANY_DPORT);
        java.put("sp_ruleset.any_sport", RuleSetLayout.ANY_SPORT);
        java.put("sp_ruleset.version_rules", RuleSetLayout.VERSION_RULES);
        java.put("sp_ruleset.portless_rules", RuleSetLayout.PORTLESS_RULES);
        java.put("sp_ruleset.later_fragment_rules", RuleSetLayout.LATER_FRAGMENT_RULES);
        java.put("sp_ruleset.fast_rules", RuleSetLayout.FAST_RULES);
        java.put("sp_ruleset.proto_rules", RuleSetLayout.PROTO_RULES);
        java.put("sp_ruleset.dport_rules", RuleSetLayout.DPORT_RULES);
        java.put("sp_ruleset.sport_rules", RuleSetLayout.SPORT_RULES);
        java.put("sp_ruleset.vlan_rules", RuleSetLayout.VLAN_RULES);
        java.put("sp_ruleset.dport_class", RuleSetLayout.DPORT_CLASS);
        java.put("sp_ruleset.sport_class", RuleSetLayout.SPORT_CLASS);
        java.put("sp_ruleset.vlan_class", RuleSetLayout.VLAN_CLASS);
        java.put("sp_ruleset.dst4", RuleSetLayout.DST4);
        java.put("sp_ruleset.src4", RuleSetLayout.SRC4);
        java.put("sp_ruleset.dst6", RuleSetLayout.DST6);
        java.put("sp_ruleset.src6", RuleSetLayout.SRC6);
        java.put("sp_ruleset.dst4_block", RuleSetLayout.DST4_BLOCK);
        java.put("sp_ruleset.src4_block", RuleSetLayout.SRC4_BLOCK);
        java.put("sp_ruleset.dst6_block", RuleSetLayout.DST6_BLOCK);
        java.put("sp_ruleset.src6_block", RuleSetLayout.SRC6_BLOCK);
        java.put("sp_ruleset.rules", RuleSetLayout.RULES);

        java.put("sizeof(sp_lpm4_key)", PrefixKeyLayout.V4_SIZE);
        java.put("sizeof(sp_lpm6_key)", PrefixKeyLayout.V6_SIZE);
        java.put("sp_lpm4_key.prefixlen", PrefixKeyLayout.PREFIXLEN);
        java.put("sp_lpm4_key.generation", PrefixKeyLayout.GENERATION);
        java.put("sp_lpm4_key.addr", PrefixKeyLayout.ADDR);
        java.put("sp_lpm6_key.prefixlen", PrefixKeyLayout.V6.byteOffset(
                groupElement("prefixlen")));
        java.put("sp_lpm6_key.generation", PrefixKeyLayout.V6.byteOffset(
                groupElement("generation")));
        java.put("sp_lpm6_key.addr", PrefixKeyLayout.V6.byteOffset(
                groupElement("addr")));
        java.put("sizeof(sp_lpm_value)", PrefixKeyLayout.VALUE_SIZE);

        java.put("sizeof(sp_counter)", CounterLayout.SIZE);
        java.put("sp_counter.packets", CounterLayout.PACKETS);
        java.put("sp_counter.bytes", CounterLayout.BYTES);

        java.put("sizeof(sp_rule_name)", RuleNameLayout.SIZE);
        java.put("sp_rule_name.name", RuleNameLayout.NAME);

        java.put("sizeof(sp_attach_state)", AttachStateLayout.SIZE);
        java.put("sp_attach_state.ifindex", AttachStateLayout.IFINDEX);
        java.put("sp_attach_state.xdp_flags", AttachStateLayout.XDP_FLAGS);
        java.put("sp_attach_state.netns_inode", AttachStateLayout.NETNS_INODE);

        java.put("SP_MAX_RULES", (long) RuleSetLayout.MAX_RULES);
        java.put("SP_MAX_COUNTERS", (long) ClassifierMaps.MAX_COUNTERS);
        java.put("SP_MAX_PREFIXES", (long) RuleCompiler.MAX_TRIE_ENTRIES);
        java.put("SP_MAX_QUEUES", (long) ClassifierMaps.MAX_QUEUES);
        java.put("SP_RULE_NAME_LEN", (long) RuleNameLayout.NAME_LENGTH);
        java.put("SP_MAX_PROTOS", (long) RuleSetLayout.PROTOS);
        java.put("SP_MAX_CLASSES", (long) RuleSetLayout.CLASSES);
        java.put("SP_PORTS", (long) RuleSetLayout.PORTS);
        java.put("SP_VLAN_KEYS", (long) RuleSetLayout.VLAN_KEYS);
        java.put("SP_NO_VLAN", (long) RuleSetLayout.NO_VLAN);
        java.put("SP_PREFIX_BOUNDS", (long) PrefixTableLayout.BOUNDS);
        java.put("SP_BLOCKS", (long) PrefixTableLayout.BLOCKS);
        java.put("SP_BLOCK_REFINE", (long) PrefixTableLayout.REFINE);
        java.put("SP_F_DST4_TABLE", (long) RuleSetLayout.F_DST4_TABLE);
        java.put("SP_F_SRC4_TABLE", (long) RuleSetLayout.F_SRC4_TABLE);
        java.put("SP_F_DST6_TABLE", (long) RuleSetLayout.F_DST6_TABLE);
        java.put("SP_F_SRC6_TABLE", (long) RuleSetLayout.F_SRC6_TABLE);
        java.put("SP_F_DST4_TRIE", (long) RuleSetLayout.F_DST4_TRIE);
        java.put("SP_F_SRC4_TRIE", (long) RuleSetLayout.F_SRC4_TRIE);
        java.put("SP_F_DST6_TRIE", (long) RuleSetLayout.F_DST6_TRIE);
        java.put("SP_F_SRC6_TRIE", (long) RuleSetLayout.F_SRC6_TRIE);
        java.put("SP_F_VLAN", (long) RuleSetLayout.F_VLAN);
        java.put("SP_ACT_PASS", (long) RuleLayout.ACTION_PASS);
        java.put("SP_ACT_DROP", (long) RuleLayout.ACTION_DROP);
        java.put("SP_ACT_REDIRECT", (long) RuleLayout.ACTION_REDIRECT);
        for (Outcome o : Outcome.values()) {
            java.put("SP_STAT_" + o.name(), (long) o.ordinal());
        }
        java.put("SP_STAT_MAX", (long) Outcome.values().length);
        for (int v6 = 0; v6 < 2; v6++) {
            for (int tcp = 0; tcp < 2; tcp++) {
                java.put("SP_FAST_INDEX(" + v6 + ", " + tcp + ")", (long) RuleSetLayout.fastIndex(v6 == 1 ? 6 : 4,
                        tcp == 1 ? RuleSetLayout.IPPROTO_TCP : RuleSetLayout.IPPROTO_UDP));
            }
        }
        for (int i = 0; i < RuleSetLayout.MAX_RULES; i++) {
            java.put("SP_RULE_SLOT(1ULL << " + i + ")", (long) RuleSetLayout.slot(i));
        }
        java.put("XDP_FLAGS_DRV_MODE", (long) AttachStateLayout.XDP_FLAGS_DRV_MODE);
        java.put("XDP_FLAGS_SKB_MODE", (long) AttachStateLayout.XDP_FLAGS_SKB_MODE);
        // The api records' limits are the classifier's.
        java.put("SP_MAX_RULES+0", (long) ClassifierRules.MAX_RULES);
        java.put("SP_RULE_NAME_LEN-1", (long) ClassifierRule.MAX_NAME_LENGTH);

        assertEquals(new TreeMap<>(java), new TreeMap<>(fromC(java)));
        assertEquals(RuleSetLayout.MAX_RULES, IntStream.range(0, RuleSetLayout.MAX_RULES).map(RuleSetLayout::slot)
                .distinct().count(), "every rule has a slot of its own");
    }

    /** Each key as C evaluates it with classifier.h included (CHeaderProbe compiles and runs it). */
    private static Map<String, Long> fromC(Map<String, Long> keys) {
        return CHeaderProbe.structFacts("#include <linux/if_link.h>\n#include \""
                + HEADER_DIR.resolve("classifier.h").toAbsolutePath() + "\"\n", keys.keySet());
    }
}
