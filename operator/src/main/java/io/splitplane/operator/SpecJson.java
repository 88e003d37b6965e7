package io.splitplane.operator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import java.util.Map;

/**
 * Reads parts of a custom resource into an {@code api} record through {@link ConfigJson}, the strict
 * reader every component uses, and reports a failure by the field's path in the resource: the record
 * says {@code devices.names[0]}, the user wrote {@code spec.devices.names[0]}.
 */
public final class SpecJson {
    private static final ObjectMapper TREE = JsonMapper.builder()
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.USE_DEFAULTS))
            .build();

    private SpecJson() {
    }

    /** A fresh JSON object to assemble the record's document in. */
    public static ObjectNode object() {
        return TREE.createObjectNode();
    }

    /** {@code value} (a spec class, list or map) as a JSON tree. */
    public static JsonNode tree(Object value) {
        return TREE.valueToTree(value);
    }

    /**
     * Reads {@code document} into {@code type}.
     *
     * @param paths  the record's top-level keys and where they are in the resource ({@code "devices" ->
     *               "spec.devices"}); keys not listed are reported under {@code spec}
     * @param source the resource, e.g. {@code XdpPool fast}
     * @throws InvalidConfigException naming the resource and the field in it
     */
    public static <T> T read(ObjectNode document, Class<T> type, Map<String, String> paths, String source) {
        try {
            return ConfigJson.read(document.toString(), type, source);
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(source, resourcePath(e.field(), paths), e.reason(), e);
        }
    }

    static String resourcePath(String field, Map<String, String> paths) {
        if (field == null || field.isEmpty()) {
            return "spec";
        }
        int end = 0;
        while (end < field.length() && field.charAt(end) != '.' && field.charAt(end) != '[') {
            end++;
        }
        String head = field.substring(0, end);
        String mapped = paths.get(head);
        return (mapped == null ? "spec." + head : mapped) + field.substring(end);
    }
}
