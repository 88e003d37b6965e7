package io.splitplane.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a class table tells the program about a field: each value's mask, and the rules no value rules
 * out ({@code any_dport}, {@code any_sport}), for which the program skips the field's tables.
 */
class ClassTableTest {
    private static final int PORTS = RuleSetLayout.PORTS;

    @Test
    void unconstrainedRulesAreThoseEveryValueSatisfies() {
        // Rule 0: port 53; rule 1: any port; rule 2: 1000-2000; rule 3: the whole domain, as a range.
        ClassTable t = ClassTable.build(PORTS, List.of(new ClassTable.Range(53, 53, 0),
                new ClassTable.Range(1000, 2000, 2), new ClassTable.Range(0, PORTS - 1, 3)), 1L << 1);
        assertEquals(0b1010L, t.unconstrained());
        assertEquals(0b1011L, t.rulesOf(53));
        assertEquals(0b1110L, t.rulesOf(1500));
        assertEquals(0b1010L, t.rulesOf(65535));
    }

    @Test
    void withoutRangesEveryRuleIsUnconstrained() {
        ClassTable t = ClassTable.build(PORTS, List.of(), 0b111L);
        assertEquals(0b111L, t.unconstrained());
        assertEquals(1, t.rules().length);
    }
}
