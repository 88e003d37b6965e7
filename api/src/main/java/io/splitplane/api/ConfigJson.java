package io.splitplane.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * The one JSON mapping every splitplane component uses for its contracts, so that the operator that
 * writes a config and the component that reads it agree on every detail: unknown fields are errors
 * (a typo must not silently become a default), missing primitives are errors, trailing garbage is an
 * error, and every failure becomes an {@link InvalidConfigException} naming the field.
 */
public final class ConfigJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .build();

    private ConfigJson() {
    }

    /**
     * Parses {@code json} into {@code type}.
     *
     * @param source where the text came from, for the error message
     * @throws InvalidConfigException naming the source and the field at fault
     */
    public static <T> T read(String json, Class<T> type, String source) {
        if (json == null || json.isBlank()) {
            throw new InvalidConfigException(source, "", "empty document");
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (UnrecognizedPropertyException e) {
            List<Object> known = e.getKnownPropertyIds() == null ? List.of() : List.copyOf(e.getKnownPropertyIds());
            throw new InvalidConfigException(source, path(e), "unknown field '" + e.getPropertyName()
                    + "' (known: " + known.stream().map(String::valueOf).sorted().toList() + ")", e);
        } catch (JsonMappingException e) {
            InvalidConfigException inner = findInvalidConfig(e);
            if (inner != null) {
                String prefix = path(e);
                String field = join(prefix, inner.field());
                throw new InvalidConfigException(source, field, inner.reason(), e);
            }
            throw new InvalidConfigException(source, path(e), e.getOriginalMessage(), e);
        } catch (JacksonException e) {
            throw new InvalidConfigException(source, "", "malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Serialises a contract record as compact JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getName(), e);
        }
    }

    private static InvalidConfigException findInvalidConfig(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InvalidConfigException ice) {
                return ice;
            }
        }
        return null;
    }

    /**
     * The JSON path of a mapping failure. When a record constructor rejects its own field, Jackson's
     * path ends at the record, and the record names the field; joined, they point at the value.
     */
    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String join(String prefix, String field) {
        if (prefix.isEmpty()) {
            return field == null ? "" : field;
        }
        return field == null || field.isEmpty() ? prefix : prefix + "." + field;
    }
}
