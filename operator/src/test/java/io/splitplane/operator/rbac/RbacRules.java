package io.splitplane.operator.rbac;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The permissions a list of RBAC rules grants, expanded to one {@code verb group/resource} per entry. */
public final class RbacRules {
    private RbacRules() {
    }

    /** Every (verb, group, resource) the rules grant; wildcards are refused (least privilege). */
    public static Set<String> permissions(List<PolicyRule> rules) {
        Set<String> out = new LinkedHashSet<>();
        for (PolicyRule rule : rules) {
            if (rule.getResourceNames() != null && !rule.getResourceNames().isEmpty()) {
                throw new AssertionError("resourceNames narrow a rule below what this check models: " + rule);
            }
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        if (group.equals("*") || resource.equals("*") || verb.equals("*")) {
                            throw new AssertionError("wildcard in a rule: " + rule);
                        }
                        out.add(new ApiRequest(verb, group, resource, null).permission());
                    }
                }
            }
        }
        return out;
    }
}
