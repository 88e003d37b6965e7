package io.splitplane.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The one JSON mapping every splitplane component uses for its contracts, so that the operator that
 * writes a config and the component that reads it agree on every detail: unknown fields are errors
 * (a typo must not silently become a default), missing primitives are errors, trailing garbage is an
 * error, and every failure becomes an {@link InvalidConfigException} naming the field.
 *
 * <p>YAML ({@link #readYaml}, {@link #readFile} for {@code .yaml}/{@code .yml}) goes through the same
 * record constructors with the same strictness and the same error mapping: a YAML config is the
 * JSON document written another way, not a second dialect.
 */
public final class ConfigJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
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
        return read(MAPPER, "JSON", json, type, source);
    }

    /**
     * Parses the YAML document {@code yaml} into {@code type}, exactly as strictly as {@link #read}.
     *
     * @param source where the text came from, for the error message
     * @throws InvalidConfigException naming the source and the field at fault
     */
    public static <T> T readYaml(String yaml, Class<T> type, String source) {
        return read(YAML, "YAML", yaml, type, source);
    }

    /**
     * Reads a config file: YAML for names ending in {@code .yaml} or {@code .yml}, JSON otherwise. The
     * error source is the path as given.
     *
     * @throws InvalidConfigException for an unreadable file or a bad document
     */
    public static <T> T readFile(Path file, Class<T> type) {
        String source = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidConfigException(source, "", "cannot read the file: " + e, e);
        }
        String lower = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return lower.endsWith(".yaml") || lower.endsWith(".yml") ? readYaml(text, type, source)
                : read(text, type, source);
    }

    private static <T> T read(ObjectMapper mapper, String format, String text, Class<T> type, String source) {
        if (text == null || text.isBlank()) {
            throw new InvalidConfigException(source, "", "empty document");
        }
        try {
            T value = mapper.readValue(text, type);
            if (value == null) {
                throw new InvalidConfigException(source, "", "empty document");
            }
            return value;
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
            if (e.getPath().isEmpty() && String.valueOf(e.getOriginalMessage()).startsWith("No content to map")) {
                throw new InvalidConfigException(source, "", "empty document", e); // a YAML of comments only
            }
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof StreamReadException syntax) {
                    // A syntax error inside a value Jackson was mapping: keep the path it got to.
                    throw new InvalidConfigException(source, path(e), "malformed " + format + ": "
                            + syntax.getOriginalMessage(), e);
                }
            }
            throw new InvalidConfigException(source, path(e), e.getOriginalMessage(), e);
        } catch (JacksonException e) {
            throw new InvalidConfigException(source, "", "malformed " + format + ": " + e.getOriginalMessage(), e);
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
