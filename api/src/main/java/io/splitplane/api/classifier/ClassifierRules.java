package io.splitplane.api.classifier;

import io.splitplane.api.InvalidConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A classifier's whole rule set, in priority order: the first rule a packet matches decides; a
 * packet no rule matches goes to the kernel (pass). Replaced as a whole: a packet sees either the
 * old or the new set, never a mix.
 *
 * @param rules at most {@link #MAX_RULES}, with distinct names; null or absent means none
 */
public record ClassifierRules(List<ClassifierRule> rules) {
    /** The classifier's limit: its prefix tries hold one bit per rule in a 64-bit mask. */
    public static final int MAX_RULES = 64;

    public ClassifierRules {
        if (rules == null) {
            rules = List.of();
        }
        if (rules.size() > MAX_RULES) {
            throw InvalidConfigException.field("rules", "at most " + MAX_RULES + " rules, was " + rules.size());
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            ClassifierRule rule = rules.get(i);
            if (rule == null) {
                throw InvalidConfigException.field("rules[" + i + "]", "must not be null");
            }
            Integer first = names.putIfAbsent(rule.name(), i);
            if (first != null) {
                throw InvalidConfigException.field("rules[" + i + "].name", "duplicate rule name '" + rule.name()
                        + "' (rules[" + first + "] has it too)");
            }
        }
        rules = List.copyOf(rules);
    }

    /** The rules given, in priority order. */
    public static ClassifierRules of(ClassifierRule... rules) {
        return new ClassifierRules(List.of(rules));
    }

    /** No rules: every packet goes to the kernel. */
    public static ClassifierRules none() {
        return new ClassifierRules(List.of());
    }
}
