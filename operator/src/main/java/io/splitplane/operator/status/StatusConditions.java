package io.splitplane.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The conditions of a splitplane resource's status ({@code Ready}, {@code Degraded}), set the way
 * Kubernetes API conventions ask: one entry per type, {@code lastTransitionTime} moves only when the
 * status flips, each carries the generation it was computed from.
 */
public final class StatusConditions {
    public static final String READY = "Ready";
    public static final String DEGRADED = "Degraded";

    private StatusConditions() {
    }

    /**
     * {@code existing} with the condition {@code type} set; the others kept.
     *
     * @param reason  CamelCase, machine-readable
     * @param message for people: what is wrong and where
     */
    public static List<Condition> with(List<Condition> existing, String type, boolean status, String reason,
                                       String message, long generation) {
        List<Condition> out = new ArrayList<>();
        String statusText = status ? "True" : "False";
        String since = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        if (existing != null) {
            for (Condition c : existing) {
                if (type.equals(c.getType())) {
                    if (statusText.equals(c.getStatus())) {
                        since = c.getLastTransitionTime();
                    }
                } else {
                    out.add(c);
                }
            }
        }
        out.add(new ConditionBuilder().withType(type).withStatus(statusText).withReason(reason)
                .withMessage(message).withObservedGeneration(generation).withLastTransitionTime(since).build());
        out.sort((a, b) -> a.getType().compareTo(b.getType()));
        return out;
    }

    /**
     * Ready and Degraded together: a resource can be not ready without being degraded (a rollout in
     * progress), but a degraded one is never ready.
     */
    public static List<Condition> readiness(List<Condition> existing, boolean ready, boolean degraded, String reason,
                                            String message, long generation) {
        List<Condition> out = with(existing, READY, ready && !degraded, reason, message, generation);
        return with(out, DEGRADED, degraded, reason, message, generation);
    }

    /** The condition of {@code type}, or null. */
    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        for (Condition c : conditions) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }
}
