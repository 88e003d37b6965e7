package io.splitplane.dataplane.graph;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named reason a node drops packets, VPP's error counter: counted per node, read by name
 * ({@code graph.errorCount("eth-input", "too-short")}), listed with its description by
 * {@code show errors}.
 *
 * @param name short kebab-case name, unique within the node ({@code "ttl-expired"})
 * @param description one line for humans ({@code "IPv4 TTL reached zero"})
 */
public record NodeError(String name, String description) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    public NodeError {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("error name='" + name
                    + "' must be 1..63 characters of a-z, 0-9, '-', '_', '.'");
        }
    }

    /** Shorthand for node declarations. */
    public static NodeError of(String name, String description) {
        return new NodeError(name, description);
    }
}
