package io.splitplane.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * A rule set as the kernel reads it ({@code struct sp_ruleset}, {@link RuleSetLayout}): encoded from
 * compiled rules into the inactive slot of {@code rulesets} by {@link RuleSetWriter}, and the little
 * that user space needs back from the active one.
 *
 * @param generation the tag of the set's trie entries (0: the empty initial set)
 * @param flags      SP_F_*
 * @param actions    per rule, {@code enum sp_action}
 * @param counters   per rule, its slot in {@code rule_stats}
 */
record RuleSetImage(int generation, int flags, int[] actions, int[] counters) {
    /** The struct for {@code compiled} in {@code generation} with the rules' counter slots, in {@code arena}. */
    static MemorySegment encode(Arena arena, int generation, CompiledRules compiled, int[] counters) {
        int n = compiled.names().size();
        if (n > RuleSetLayout.MAX_RULES || counters.length != n) {
            throw new IllegalArgumentException("rules=" + n + ", counters=" + counters.length);
        }
        MemorySegment s = arena.allocate(RuleSetLayout.LAYOUT);
        s.set(JAVA_INT, RuleSetLayout.GENERATION, generation);
        s.set(JAVA_INT, RuleSetLayout.RULE_COUNT, n);
        s.set(JAVA_INT, RuleSetLayout.FLAGS, compiled.flags());
        s.set(JAVA_LONG, RuleSetLayout.ANY_DST, compiled.anyDst());
        s.set(JAVA_LONG, RuleSetLayout.ANY_SRC, compiled.anySrc());
        s.set(JAVA_LONG, RuleSetLayout.ANY_DPORT, compiled.dstPorts().unconstrained());
        s.set(JAVA_LONG, RuleSetLayout.ANY_SPORT, compiled.srcPorts().unconstrained());
        longs(s, RuleSetLayout.VERSION_RULES, compiled.versionRules());
        s.set(JAVA_LONG, RuleSetLayout.PORTLESS_RULES, compiled.portlessRules());
        s.set(JAVA_LONG, RuleSetLayout.LATER_FRAGMENT_RULES, compiled.laterFragmentRules());
        longs(s, RuleSetLayout.FAST_RULES, compiled.fastRules());
        longs(s, RuleSetLayout.PROTO_RULES, compiled.protoRules());
        classes(s, RuleSetLayout.DPORT_CLASS, RuleSetLayout.DPORT_RULES, compiled.dstPorts());
        classes(s, RuleSetLayout.SPORT_CLASS, RuleSetLayout.SPORT_RULES, compiled.srcPorts());
        classes(s, RuleSetLayout.VLAN_CLASS, RuleSetLayout.VLAN_RULES, compiled.vlans());
        for (Map.Entry<PrefixTrie, PrefixMatch> e : compiled.prefixes().entrySet()) {
            if (e.getValue() instanceof PrefixMatch.Table t) {
                long at = e.getKey().tableOffset();
                longs(s, at + PrefixTableLayout.START, t.start());
                longs(s, at + PrefixTableLayout.RULES, t.rules());
                s.set(JAVA_INT, at + PrefixTableLayout.TOP_STEP, t.topStep());
                PrefixMatch.BlockIndex index = t.blockIndex();
                s.set(JAVA_LONG, at + PrefixTableLayout.REGION_LO, index.regionLo());
                s.set(JAVA_LONG, at + PrefixTableLayout.REGION_HI, index.regionHi());
                s.set(JAVA_INT, at + PrefixTableLayout.BLOCK_SHIFT, index.shift());
                s.set(JAVA_INT, at + PrefixTableLayout.LAST, t.used() - 1);
                MemorySegment.copy(index.blocks(), 0, s, JAVA_BYTE, e.getKey().blockOffset(), index.blocks().length);
            }
        }
        for (int i = 0; i < n; i++) {
            long at = RuleSetLayout.rule(i);
            s.set(JAVA_INT, at + RuleLayout.COUNTER, counters[i]);
            s.set(JAVA_BYTE, at + RuleLayout.ACTION, (byte) compiled.actions()[i]);
        }
        return s;
    }

    private static void longs(MemorySegment s, long offset, long[] values) {
        MemorySegment.copy(values, 0, s, JAVA_LONG, offset, values.length);
    }

    private static void classes(MemorySegment s, long classOffset, long rulesOffset, ClassTable table) {
        MemorySegment.copy(table.classOf(), 0, s, JAVA_BYTE, classOffset, table.classOf().length);
        longs(s, rulesOffset, table.rules());
    }

    /** Reads generation, flags and the rules' actions and counter slots from {@code s}. */
    static RuleSetImage decode(MemorySegment s) {
        int count = s.get(JAVA_INT, RuleSetLayout.RULE_COUNT);
        if (count < 0 || count > RuleSetLayout.MAX_RULES) {
            throw new IllegalStateException("the active rule set says it has " + count + " rules; at most "
                    + RuleSetLayout.MAX_RULES + " fit (was it written by another version?)");
        }
        int[] actions = new int[count];
        int[] counters = new int[count];
        for (int i = 0; i < count; i++) {
            long at = RuleSetLayout.rule(i);
            actions[i] = Byte.toUnsignedInt(s.get(JAVA_BYTE, at + RuleLayout.ACTION));
            counters[i] = s.get(JAVA_INT, at + RuleLayout.COUNTER);
            if (counters[i] < 0 || counters[i] >= ClassifierMaps.MAX_COUNTERS) {
                throw new IllegalStateException("rule " + i + " of the active rule set counts in slot "
                        + Integer.toUnsignedString(counters[i]) + "; there are " + ClassifierMaps.MAX_COUNTERS
                        + " (was it written by another version?)");
            }
        }
        return new RuleSetImage(s.get(JAVA_INT, RuleSetLayout.GENERATION), s.get(JAVA_INT, RuleSetLayout.FLAGS),
                actions, counters);
    }
}
