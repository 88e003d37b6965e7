package io.splitplane.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusConditionsTest {
    @Test
    void theTransitionTimeMovesOnlyWhenTheStatusFlips() {
        List<Condition> first = StatusConditions.readiness(null, false, false, "Progressing", "0/1", 1);
        Condition ready = StatusConditions.find(first, "Ready");
        ready.setLastTransitionTime("2020-01-01T00:00:00Z");
        List<Condition> same = StatusConditions.readiness(first, false, false, "Progressing", "0/1", 2);
        assertEquals("2020-01-01T00:00:00Z", StatusConditions.find(same, "Ready").getLastTransitionTime());
        assertEquals(2L, StatusConditions.find(same, "Ready").getObservedGeneration());
        List<Condition> flipped = StatusConditions.readiness(same, true, false, "Available", "1/1", 2);
        assertEquals("True", StatusConditions.find(flipped, "Ready").getStatus());
        assertEquals(false, "2020-01-01T00:00:00Z".equals(StatusConditions.find(flipped, "Ready").getLastTransitionTime()));
        assertEquals(List.of("Degraded", "Ready"), flipped.stream().map(Condition::getType).toList());
    }

    @Test
    void degradedIsNeverReady() {
        List<Condition> c = StatusConditions.readiness(null, true, true, "InvalidSpec", "bad", 1);
        assertEquals("False", StatusConditions.find(c, "Ready").getStatus());
        assertEquals("True", StatusConditions.find(c, "Degraded").getStatus());
    }
}
