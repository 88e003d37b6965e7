package io.splitplane.operator;

import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.splitplane.api.InvalidConfigException;

/** Finds the {@link InvalidConfigException} behind a failed reconciliation, if bad input was its cause. */
public final class InvalidResources {
    private InvalidResources() {
    }

    /** The invalid-input error in {@code e}'s causes (or in a workflow's aggregated errors), or null. */
    public static InvalidConfigException cause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InvalidConfigException ice) {
                return ice;
            }
            if (c instanceof AggregatedOperatorException agg) {
                for (Exception inner : agg.getAggregatedExceptions().values()) {
                    InvalidConfigException found = cause(inner);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** The message for a condition: the field and what is wrong with it, without the source prefix. */
    public static String describe(InvalidConfigException e) {
        return (e.field() == null || e.field().isEmpty() ? "" : e.field() + ": ") + e.reason();
    }
}
