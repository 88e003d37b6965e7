package io.splitplane.bpf;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a classifier's counters, summed over CPUs: one per {@link Outcome}, and one per
 * rule of the active set, by name in priority order. A rule's counter survives rule updates that
 * keep its name; a new name starts at zero. The per-CPU values are read one after another while
 * packets flow, so a snapshot is exact only when traffic stands still.
 *
 * @param outcomes every outcome, with zero where nothing was counted
 * @param rules    every rule of the active set
 */
public record ClassifierCounters(Map<Outcome, Counter> outcomes, Map<String, Counter> rules) {
    public ClassifierCounters {
        EnumMap<Outcome, Counter> all = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            all.put(o, Objects.requireNonNullElse(outcomes.get(o), Counter.ZERO));
        }
        outcomes = Collections.unmodifiableMap(all);
        rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }

    public Counter outcome(Outcome outcome) {
        return outcomes.get(outcome);
    }

    /** The counter of the rule with this name; throws if the active set has no such rule. */
    public Counter rule(String name) {
        Counter c = rules.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no rule '" + name + "' in the active rule set; rules: " + rules.keySet());
        }
        return c;
    }

    /** Every packet the classifier saw. */
    public Counter total() {
        Counter sum = Counter.ZERO;
        for (Counter c : outcomes.values()) {
            sum = sum.plus(c);
        }
        return sum;
    }

    /**
     * What was counted since {@code earlier}: outcomes subtracted; rules of this snapshot minus the
     * same rule's count in {@code earlier} (zero for rules it did not have).
     */
    public ClassifierCounters since(ClassifierCounters earlier) {
        Map<Outcome, Counter> o = new EnumMap<>(Outcome.class);
        outcomes.forEach((k, v) -> o.put(k, v.minus(earlier.outcomes.get(k))));
        Map<String, Counter> r = new LinkedHashMap<>();
        rules.forEach((k, v) -> r.put(k, v.minus(earlier.rules.getOrDefault(k, Counter.ZERO))));
        return new ClassifierCounters(o, r);
    }
}
