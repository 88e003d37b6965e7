package io.splitplane.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sp_ruleset} (classifier.h): a whole rule set as bit-vector tables, one of the two
 * values of the {@code rulesets} map. Bit i of every mask is rule i; {@code rules[]} is in De Bruijn
 * order ({@link #slot}).
 *
 * <p>Everything but the byte tables lies within the first 32 KiB, where the program reads a field
 * with one instruction (the offset fits the load's 16-bit field); past it, each read takes three.
 *
 * <pre>
 * offset   field
 *      0   u32 generation | u32 rule_count | u32 flags | u32 pad
 *     16   u64 any_dst | u64 any_src | u64 any_dport | u64 any_sport
 *     48   u64 version_rules[2]            [0] IPv4, [1] IPv6
 *     64   u64 portless_rules | u64 later_fragment_rules
 *     80   u64 fast_rules[4]               by {@link #fastIndex}
 *    112   sp_rule rules[64]               (8 B each, by {@link #slot})
 *    624   u64 proto_rules[256]            by IP protocol number
 *   2672   u64 dport_rules[256]            by destination port class
 *   4720   u64 sport_rules[256]            by source port class
 *   6768   u64 vlan_rules[256]             by VLAN class
 *   8816   sp_prefix_table dst4, src4, dst6, src6     (2,080 B each)
 *  17136   u8  dport_class[65536]          port to class
 *  82672   u8  sport_class[65536]
 * 148208   u8  vlan_class[8192]            VLAN id (4096: untagged) to class
 * 156400   u8  dst4_block, src4_block, dst6_block, src6_block[65536]   the tables' block indexes
 * 418544   end
 * </pre>
 */
final class RuleSetLayout {
    /** SP_MAX_RULES. */
    static final int MAX_RULES = 64;
    /** SP_MAX_PROTOS, SP_MAX_CLASSES, SP_PORTS, SP_VLAN_KEYS, SP_NO_VLAN. */
    static final int PROTOS = 256;
    static final int CLASSES = 256;
    static final int PORTS = 65536;
    static final int VLAN_KEYS = 8192;
    static final int NO_VLAN = 4096;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("generation"),
            JAVA_INT.withName("rule_count"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("pad"),
            JAVA_LONG.withName("any_dst"),
            JAVA_LONG.withName("any_src"),
            JAVA_LONG.withName("any_dport"),
            JAVA_LONG.withName("any_sport"),
            MemoryLayout.sequenceLayout(2, JAVA_LONG).withName("version_rules"),
            JAVA_LONG.withName("portless_rules"),
            JAVA_LONG.withName("later_fragment_rules"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("fast_rules"),
            MemoryLayout.sequenceLayout(MAX_RULES, RuleLayout.LAYOUT).withName("rules"),
            MemoryLayout.sequenceLayout(PROTOS, JAVA_LONG).withName("proto_rules"),
            MemoryLayout.sequenceLayout(CLASSES, JAVA_LONG).withName("dport_rules"),
            MemoryLayout.sequenceLayout(CLASSES, JAVA_LONG).withName("sport_rules"),
            MemoryLayout.sequenceLayout(CLASSES, JAVA_LONG).withName("vlan_rules"),
            PrefixTableLayout.LAYOUT.withName("dst4"),
            PrefixTableLayout.LAYOUT.withName("src4"),
            PrefixTableLayout.LAYOUT.withName("dst6"),
            PrefixTableLayout.LAYOUT.withName("src6"),
            MemoryLayout.sequenceLayout(PORTS, JAVA_BYTE).withName("dport_class"),
            MemoryLayout.sequenceLayout(PORTS, JAVA_BYTE).withName("sport_class"),
            MemoryLayout.sequenceLayout(VLAN_KEYS, JAVA_BYTE).withName("vlan_class"),
            MemoryLayout.sequenceLayout(PrefixTableLayout.BLOCKS, JAVA_BYTE).withName("dst4_block"),
            MemoryLayout.sequenceLayout(PrefixTableLayout.BLOCKS, JAVA_BYTE).withName("src4_block"),
            MemoryLayout.sequenceLayout(PrefixTableLayout.BLOCKS, JAVA_BYTE).withName("dst6_block"),
            MemoryLayout.sequenceLayout(PrefixTableLayout.BLOCKS, JAVA_BYTE).withName("src6_block"))
            .withName("sp_ruleset");

    static final long SIZE = LAYOUT.byteSize();
    static final long GENERATION = offset("generation");
    static final long RULE_COUNT = offset("rule_count");
    static final long FLAGS = offset("flags");
    static final long ANY_DST = offset("any_dst");
    static final long ANY_SRC = offset("any_src");
    static final long ANY_DPORT = offset("any_dport");
    static final long ANY_SPORT = offset("any_sport");
    static final long VERSION_RULES = offset("version_rules");
    static final long PORTLESS_RULES = offset("portless_rules");
    static final long LATER_FRAGMENT_RULES = offset("later_fragment_rules");
    static final long FAST_RULES = offset("fast_rules");
    static final long PROTO_RULES = offset("proto_rules");
    static final long DPORT_RULES = offset("dport_rules");
    static final long SPORT_RULES = offset("sport_rules");
    static final long VLAN_RULES = offset("vlan_rules");
    static final long DPORT_CLASS = offset("dport_class");
    static final long SPORT_CLASS = offset("sport_class");
    static final long VLAN_CLASS = offset("vlan_class");
    static final long DST4 = offset("dst4");
    static final long SRC4 = offset("src4");
    static final long DST6 = offset("dst6");
    static final long SRC6 = offset("src6");
    static final long DST4_BLOCK = offset("dst4_block");
    static final long SRC4_BLOCK = offset("src4_block");
    static final long DST6_BLOCK = offset("dst6_block");
    static final long SRC6_BLOCK = offset("src6_block");
    static final long RULES = offset("rules");

    /**
     * SP_F_*: how prefixes of each family and direction are matched (neither flag: no such
     * prefixes), and whether the VLAN table is in use.
     */
    static final int F_DST4_TABLE = 1;
    static final int F_SRC4_TABLE = 1 << 1;
    static final int F_DST6_TABLE = 1 << 2;
    static final int F_SRC6_TABLE = 1 << 3;
    static final int F_DST4_TRIE = 1 << 4;
    static final int F_SRC4_TRIE = 1 << 5;
    static final int F_DST6_TRIE = 1 << 6;
    static final int F_SRC6_TRIE = 1 << 7;
    /** SP_F_VLAN: some rule constrains the VLAN id (else its table is skipped). */
    static final int F_VLAN = 1 << 8;

    private RuleSetLayout() {
    }

    /** IP protocol numbers of the fast paths. */
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_UDP = 17;
    /** SP_DEBRUIJN64: multiplying a single bit by it puts a distinct 6-bit number in the top bits. */
    static final long DEBRUIJN64 = 0x03f79d71b4cb0a89L;

    /** SP_FAST_INDEX: the {@code fast_rules} entry of a UDP or TCP packet of IP version 4 or 6. */
    static int fastIndex(int version, int protocol) {
        return (version == 6 ? 2 : 0) + (protocol == IPPROTO_TCP ? 1 : 0);
    }

    /** SP_RULE_SLOT: where rule {@code index} (bit {@code index} of the masks) sits in {@code rules[]}. */
    static int slot(int index) {
        return (int) (((1L << index) * DEBRUIJN64) >>> 58);
    }

    /** The offset of rule {@code index}'s {@code struct sp_rule}, at its De Bruijn slot. */
    static long rule(int index) {
        return RULES + slot(index) * RuleLayout.SIZE;
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
