package io.splitplane.api.classifier;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.splitplane.api.InvalidConfigException;
import java.util.Arrays;
import java.util.Locale;

/** What happens to a packet a rule matches. JSON: {@code "redirect"}, {@code "pass"} or {@code "drop"}. */
public enum Action {
    /**
     * To the AF_XDP socket bound to the packet's rx queue; if no socket is bound there, to the
     * kernel (counted), never dropped.
     */
    REDIRECT,
    /** To the kernel stack, as without the classifier. */
    PASS,
    /** Nowhere (counted). */
    DROP;

    /** The JSON name: the constant in lower case. */
    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the JSON name; anything else is an error listing the names. */
    @JsonCreator
    public static Action parse(String text) {
        for (Action a : values()) {
            if (a.jsonName().equals(text)) {
                return a;
            }
        }
        throw InvalidConfigException.field("", "unknown action '" + text + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(Action::jsonName).toList()) + ")");
    }
}
