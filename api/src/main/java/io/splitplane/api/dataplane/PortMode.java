package io.splitplane.api.dataplane;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.splitplane.api.InvalidConfigException;
import java.util.Arrays;
import java.util.Locale;

/** How an AF_XDP port binds. JSON: {@code "copy"}, {@code "zerocopy"} or {@code "auto"}. */
public enum PortMode {
    /** XDP_COPY: works on every driver (and with generic XDP). */
    COPY,
    /** XDP_ZEROCOPY: the driver DMAs into the UMEM; bind fails if it cannot. */
    ZEROCOPY,
    /** Let the kernel choose (zero-copy when the driver supports it). */
    AUTO;

    /** The JSON name: the constant in lower case. */
    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the JSON name; anything else is an error listing the names. */
    @JsonCreator
    public static PortMode parse(String text) {
        for (PortMode m : values()) {
            if (m.jsonName().equals(text)) {
                return m;
            }
        }
        throw InvalidConfigException.field("", "unknown mode '" + text + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(PortMode::jsonName).toList()) + ")");
    }
}
