package io.splitplane.cni.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * Where every log line of one plugin call goes: stderr (which the runtime keeps as the plugin's log),
 * or the network config's {@code logFile}; never stdout, which carries only the result or error JSON.
 * Installed as the {@link System.LoggerFinder}, so the kernel and bpf modules' loggers (and libbpf's
 * messages through them) land here too, without java.util.logging's start-up cost.
 */
public final class PluginLog extends System.LoggerFinder {
    /**
     * The tag and sink of the call a thread works for. Per thread, inherited by the threads a call
     * starts (namespace tasks, the classifier load): a node daemon serves several calls at once, each
     * with its own {@code logFile}.
     */
    private static final InheritableThreadLocal<CallLog> CALL = new InheritableThreadLocal<>();
    private static volatile PrintStream defaultSink = System.err;
    private static volatile System.Logger.Level threshold = System.Logger.Level.INFO;

    private record CallLog(String prefix, PrintStream sink, boolean ownsSink) {
    }

    private static CallLog current() {
        CallLog c = CALL.get();
        return c != null ? c : new CallLog("", defaultSink, false);
    }

    /** Every line of this thread's call from now on is tagged with the call it belongs to. */
    public static void tag(String text) {
        CallLog c = current();
        CALL.set(new CallLog(text == null || text.isEmpty() ? "" : text + " ", c.sink(), c.ownsSink()));
    }

    /**
     * This thread's call appends to {@code file} from now on; stays on stderr (and says so there) if
     * the file cannot be opened.
     */
    public static void toFile(Path file) {
        try {
            Path parent = file.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            PrintStream out = new PrintStream(new FileOutputStream(file.toFile(), true), true, StandardCharsets.UTF_8);
            CallLog c = current();
            if (c.ownsSink()) {
                c.sink().close();
            }
            CALL.set(new CallLog(c.prefix(), out, true));
        } catch (IOException e) {
            System.err.println("splitplane: cannot open log file " + file + " (" + e + "); logging to stderr");
        }
    }

    /** The call of this thread is over: closes the log file it opened and drops its tag. */
    public static void endCall() {
        CallLog c = CALL.get();
        CALL.remove();
        if (c != null && c.ownsSink()) {
            c.sink().close();
        }
    }

    /** Drops every line outside a call's own log file (the training run exercises logging without printing). */
    public static void discard() {
        defaultSink = new PrintStream(java.io.OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
    }

    public static void threshold(System.Logger.Level level) {
        threshold = level;
    }

    /** The logger for {@code name}, the same that {@link System#getLogger} returns in the plugin. */
    public static System.Logger logger(String name) {
        return new Line(name);
    }

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Line(name);
    }

    /** One logger: formats a line with time, level and the short class name, and writes it to the sink. */
    private record Line(String name) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return level != Level.OFF && level.getSeverity() >= threshold.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (!isLoggable(level)) {
                return;
            }
            String shortName = name.substring(name.lastIndexOf('.') + 1);
            CallLog call = current();
            PrintStream out = call.sink();
            out.println(Instant.now() + " " + level + " " + call.prefix() + shortName + ": " + msg);
            if (thrown != null) {
                thrown.printStackTrace(out);
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) {
                log(level, bundle, params == null || params.length == 0 ? format
                        : java.text.MessageFormat.format(format, params), (Throwable) null);
            }
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            if (isLoggable(level)) {
                log(level, null, msgSupplier.get(), (Throwable) null);
            }
        }
    }
}
