package io.splitplane.operator.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chart rendered by the real Helm library (helm-java) and read into fabric8's typed model, with
 * every field the model does not know treated as an error (a typo in a template would otherwise be
 * dropped silently by the API server, or rejected by it at install time).
 */
public final class ChartManifests {
    public static final String NAMESPACE = "splitplane-system";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ChartManifests() {
    }

    /** {@code helm template} of the chart with {@code values} set, split into typed objects. */
    public static List<HasMetadata> render(Map<String, Object> values) {
        TemplateCommand template = new Helm(RepoPaths.chart()).template().withName("splitplane")
                .withNamespace(NAMESPACE).withKubeVersion("1.31.0");
        values.forEach(template::set);
        return parse(template.call());
    }

    public static List<HasMetadata> render() {
        return render(Map.of());
    }

    /** Typed objects of a multi-document YAML stream; fails on any field the model does not know. */
    public static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            Object parsed = SERIALIZATION.unmarshal(doc, KubernetesResource.class);
            if (!(parsed instanceof HasMetadata typed) || parsed.getClass().getName().contains("Generic")) {
                throw new AssertionError("not a known kind: " + doc);
            }
            List<String> unknown = new ArrayList<>();
            unknownFields(typed, typed.getKind() + " " + typed.getMetadata().getName(), unknown,
                    new IdentityHashMap<>());
            if (!unknown.isEmpty()) {
                throw new AssertionError("fields the model does not know: " + unknown);
            }
            out.add(typed);
        }
        return out;
    }

    public static ClusterRole clusterRole(List<HasMetadata> objects) {
        return only(objects, ClusterRole.class);
    }

    public static Role role(List<HasMetadata> objects) {
        return only(objects, Role.class);
    }

    public static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.getFirst();
    }

    /** Walks the model's getters and collects non-empty {@code additionalProperties}, by path. */
    private static void unknownFields(Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object o : c) {
                unknownFields(o, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), unknown, seen);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(node);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            unknownFields(value, path + "." + field, unknown, seen);
        }
    }
}
