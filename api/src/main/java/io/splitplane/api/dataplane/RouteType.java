package io.splitplane.api.dataplane;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.splitplane.api.InvalidConfigException;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a static route does. JSON: {@code "unicast"} (forward via next hops; the default),
 * {@code "blackhole"}, {@code "unreachable"}, {@code "prohibit"} (each dropped, counted under its
 * own name; the kernel would answer the last two with ICMP), {@code "local"} (a /32 address of this
 * dataplane: UDP to it is delivered to bound channels, the rest goes to the kernel).
 */
public enum RouteType {
    UNICAST,
    BLACKHOLE,
    UNREACHABLE,
    PROHIBIT,
    LOCAL;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RouteType parse(String text) {
        for (RouteType t : values()) {
            if (t.jsonName().equals(text)) {
                return t;
            }
        }
        throw InvalidConfigException.field("", "unknown route type '" + text + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(RouteType::jsonName).toList()) + ")");
    }
}
