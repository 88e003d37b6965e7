package io.splitplane.operator.rules;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The actions of {@link io.splitplane.api.classifier.Action}, as the CRD schema's enum. */
public enum RuleAction {
    @JsonProperty("redirect")
    REDIRECT,
    @JsonProperty("pass")
    PASS,
    @JsonProperty("drop")
    DROP
}
