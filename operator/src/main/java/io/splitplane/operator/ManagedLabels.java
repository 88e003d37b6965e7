package io.splitplane.operator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels on everything the operator makes: they scope its informers to its own objects and let a
 * person find them ({@code kubectl get all -l app.kubernetes.io/managed-by=splitplane-operator}).
 */
public final class ManagedLabels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR = "splitplane-operator";
    /** Label selector for the informers of owned objects. */
    public static final String SELECTOR = MANAGED_BY + "=" + OPERATOR;
    /** Annotation holding the hash of what was rendered, so an unchanged object is not rewritten. */
    public static final String RENDERED_HASH = "splitplane.io/rendered-hash";

    private ManagedLabels() {
    }

    /** The labels of an object of {@code component} made for {@code instance}. */
    public static Map<String, String> of(String component, String instance) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, "splitplane");
        labels.put(COMPONENT, component);
        labels.put(INSTANCE, instance);
        labels.put(MANAGED_BY, OPERATOR);
        return labels;
    }
}
