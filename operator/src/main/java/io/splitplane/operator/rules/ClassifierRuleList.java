package io.splitplane.operator.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.ClassifierRules;
import java.util.List;
import java.util.Map;

/**
 * Turns the rules of a custom resource into the {@link ClassifierRules} record the classifier takes,
 * through the same strict reader every component uses, so a rule the schema let through but the
 * classifier would refuse (an IPv6 prefix in an IPv4 rule, ports on ICMP) is refused here with the
 * field's path, before anything is rendered.
 */
public final class ClassifierRuleList {
    private static final ObjectMapper TREE = new ObjectMapper();

    private ClassifierRuleList() {
    }

    /**
     * @param field  the rules' path in the resource, e.g. {@code spec.rules}, for the error
     * @param source the resource, e.g. {@code XdpNetwork demo/net-a}, for the error
     * @throws InvalidConfigException naming {@code field[i].<name>}
     */
    public static ClassifierRules toRecord(List<RuleSpec> rules, String field, String source) {
        String json;
        try {
            json = TREE.writeValueAsString(Map.of("rules", rules == null ? List.of() : rules));
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialise rules of " + source, e);
        }
        try {
            return ConfigJson.read(json, ClassifierRules.class, source);
        } catch (InvalidConfigException e) {
            // ConfigJson names "rules[1].dstPorts"; the resource knows it as "spec.rules[1].dstPorts".
            String inner = e.field() == null ? "" : e.field();
            String at = inner.startsWith("rules") ? field + inner.substring("rules".length())
                    : inner.isEmpty() ? field : field + "." + inner;
            throw new InvalidConfigException(source, at, e.reason(), e);
        }
    }
}
