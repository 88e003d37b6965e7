package io.splitplane.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.PortRange;
import io.splitplane.api.classifier.Protocol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What user space reads back from the active rule set, and how it refuses a set it cannot have written. */
class RuleSetImageTest {
    private static final CompiledRules RULES = RuleCompiler.compile(new ClassifierRules(List.of(
            ClassifierRule.of("dns", Action.REDIRECT).withProtocol(Protocol.UDP).withDstPorts(PortRange.of(53)),
            ClassifierRule.of("ssh", Action.PASS).withProtocol(Protocol.TCP).withDstPorts(PortRange.of(22)),
            ClassifierRule.of("rest", Action.DROP))));

    @Test
    void decodeReadsBackGenerationActionsAndCounterSlots() {
        try (Arena arena = Arena.ofConfined()) {
            RuleSetImage image = RuleSetImage.decode(RuleSetImage.encode(arena, 7, RULES, new int[] {5, 255, 0}));
            assertEquals(7, image.generation());
            assertArrayEquals(new int[] {RuleLayout.ACTION_REDIRECT, RuleLayout.ACTION_PASS, RuleLayout.ACTION_DROP},
                    image.actions());
            assertArrayEquals(new int[] {5, 255, 0}, image.counters());
        }
    }

    @Test
    void aCounterSlotOutOfRangeIsRefusedByName() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = RuleSetImage.encode(arena, 7, RULES, new int[] {5, 6, 7});
            s.set(JAVA_INT, RuleSetLayout.rule(1) + RuleLayout.COUNTER, ClassifierMaps.MAX_COUNTERS);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RuleSetImage.decode(s));
            assertTrue(e.getMessage().contains("rule 1") && e.getMessage().contains("slot 256"), e.getMessage());
        }
    }
}
