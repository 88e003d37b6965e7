package io.splitplane.api;

/**
 * A configuration (file, CNI stdin, custom resource) is not acceptable. Names the offending field by
 * its JSON path, so that every component reports bad input the same way:
 * {@code invalid config in dataplane.json: ports[1].queues: must be at least 1, was 0}.
 */
public final class InvalidConfigException extends RuntimeException {
    private final String source;
    private final String field;
    private final String reason;

    public InvalidConfigException(String source, String field, String reason) {
        this(source, field, reason, null);
    }

    public InvalidConfigException(String source, String field, String reason, Throwable cause) {
        super("invalid config" + (source == null ? "" : " in " + source) + ": "
                + (field == null || field.isEmpty() ? "" : field + ": ") + reason, cause);
        this.source = source;
        this.field = field;
        this.reason = reason;
    }

    /** Thrown by record constructors: the reader adds the source and the path of the enclosing object. */
    public static InvalidConfigException field(String field, String reason) {
        return new InvalidConfigException(null, field, reason);
    }

    /** Where the config came from (a file name, "stdin", a resource name), or null. */
    public String source() {
        return source;
    }

    /** JSON path of the bad field, e.g. {@code ports[1].queues}; empty for the document as a whole. */
    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
