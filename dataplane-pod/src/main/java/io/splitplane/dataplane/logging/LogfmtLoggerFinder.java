package io.splitplane.dataplane.logging;

import java.io.PrintStream;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.regex.Pattern;

/**
 * Structured logs for the dataplane: every {@link System.Logger} record becomes one logfmt line on
 * stderr, e.g.
 * <pre>
 * ts=2026-11-26T10:25:15.123Z level=info logger=io.splitplane.dataplane.netlink.NetlinkAgent event=agent-started dataplane=r1 routes=4
 * </pre>
 * Messages written as {@code key=value ...} (the project's convention: {@code event=...} first) are
 * kept as fields; any other message becomes {@code msg="..."}; a throwable adds {@code error="..."}.
 * One line per record, so a collector can parse it without a multi-line rule. The threshold is
 * {@code -Dsplitplane.log.level} (trace, debug, info (default), warning, error, off).
 *
 * <p>Registered as the JVM's {@code System.LoggerFinder} through {@code META-INF/services}, so it
 * also formats what the kernel module logs (libbpf's messages, for one).
 */
public final class LogfmtLoggerFinder extends System.LoggerFinder {
    private static final Pattern FIELDS = Pattern.compile("^[a-z_][a-z0-9_.-]*=.*", Pattern.DOTALL);

    private final System.Logger.Level threshold = level(System.getProperty("splitplane.log.level", "info"));

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new LogfmtLogger(name, threshold, System.err);
    }

    static System.Logger.Level level(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "all" -> System.Logger.Level.ALL;
            case "trace" -> System.Logger.Level.TRACE;
            case "debug" -> System.Logger.Level.DEBUG;
            case "warning", "warn" -> System.Logger.Level.WARNING;
            case "error" -> System.Logger.Level.ERROR;
            case "off" -> System.Logger.Level.OFF;
            default -> System.Logger.Level.INFO;
        };
    }

    /** One named logger writing logfmt lines. */
    static final class LogfmtLogger implements System.Logger {
        private final String name;
        private final Level threshold;
        private final PrintStream out;

        LogfmtLogger(String name, Level threshold, PrintStream out) {
            this.name = name;
            this.threshold = threshold;
            this.out = out;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return level != Level.OFF && threshold != Level.OFF && level.getSeverity() >= threshold.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) {
                out.println(line(Instant.now(), level, name, localized(bundle, msg), thrown));
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) {
                String text = localized(bundle, format);
                if (params != null && params.length > 0) {
                    Object[] plain = params.clone();
                    for (int i = 0; i < plain.length; i++) {
                        if (plain[i] instanceof Number) {
                            plain[i] = plain[i].toString(); // 1234567, not MessageFormat's 1,234,567
                        }
                    }
                    text = new MessageFormat(text, Locale.ROOT).format(plain);
                }
                out.println(line(Instant.now(), level, name, text, null));
            }
        }

        private static String localized(ResourceBundle bundle, String key) {
            if (bundle != null && key != null && bundle.containsKey(key)) {
                return bundle.getString(key);
            }
            return key == null ? "" : key;
        }
    }

    /** One logfmt line (no newline). */
    static String line(Instant ts, System.Logger.Level level, String logger, String message, Throwable thrown) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("ts=").append(ts).append(" level=").append(level.getName().toLowerCase(Locale.ROOT))
                .append(" logger=").append(logger).append(' ');
        if (FIELDS.matcher(message).matches() && message.indexOf('\n') < 0) {
            sb.append(message);
        } else {
            sb.append("msg=").append(quote(message));
        }
        if (thrown != null) {
            sb.append(" error=").append(quote(thrown.toString()));
            Throwable cause = thrown.getCause();
            if (cause != null) {
                sb.append(" cause=").append(quote(cause.toString()));
            }
        }
        return sb.toString();
    }

    /** A logfmt value in double quotes: backslash, quote and line breaks escaped. */
    static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + '"';
    }
}
