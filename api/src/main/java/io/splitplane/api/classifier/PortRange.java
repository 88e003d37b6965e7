package io.splitplane.api.classifier;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.splitplane.api.InvalidConfigException;

/**
 * An inclusive range of UDP/TCP/SCTP ports. JSON: {@code "53"} (or {@code 53}) for one port,
 * {@code "1000-2000"} for a range.
 *
 * @param from the first port, 0-65535
 * @param to   the last port, from-65535
 */
public record PortRange(int from, int to) {
    public static final int MAX_PORT = 65535;

    public PortRange {
        if (from < 0 || from > MAX_PORT) {
            throw InvalidConfigException.field("", from + " is not a port (0-" + MAX_PORT + ")");
        }
        if (to < 0 || to > MAX_PORT) {
            throw InvalidConfigException.field("", to + " is not a port (0-" + MAX_PORT + ")");
        }
        if (from > to) {
            throw InvalidConfigException.field("", "range " + from + "-" + to + " ends before it starts");
        }
    }

    /** One port (JSON: a number). */
    @JsonCreator
    public static PortRange of(int port) {
        return new PortRange(port, port);
    }

    /** Parses {@code "53"} or {@code "1000-2000"}. */
    @JsonCreator
    public static PortRange parse(String text) {
        if (text == null) {
            throw InvalidConfigException.field("", "ports must not be null");
        }
        int dash = text.indexOf('-');
        if (dash < 0) {
            return of(port(text, text));
        }
        return new PortRange(port(text.substring(0, dash), text), port(text.substring(dash + 1), text));
    }

    private static int port(String digits, String text) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw InvalidConfigException.field("", "'" + text + "' is not a port or a range of ports (e.g. 53 or"
                    + " 1000-2000)");
        }
        return Integer.parseInt(digits);
    }

    /** Whether the range holds {@code port}. */
    public boolean contains(int port) {
        return port >= from && port <= to;
    }

    /** The JSON form: {@code "53"} or {@code "1000-2000"}. */
    @JsonValue
    @Override
    public String toString() {
        return from == to ? Integer.toString(from) : from + "-" + to;
    }
}
