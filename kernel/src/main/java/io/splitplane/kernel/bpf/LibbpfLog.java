package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.sys.Downcalls;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where libbpf's messages go: to the {@link System.Logger} named {@value #LOGGER_NAME}, to any
 * {@linkplain #subscribe subscriber}, and into the text of the {@link BpfException} of the call
 * that printed them (that is how a verifier rejection carries the verifier log).
 *
 * <p>libbpf prints through one process-wide callback, {@code (level, format, va_list)}. The callback
 * here is an upcall stub that formats with libc's {@code vsnprintf}; it runs on the thread that
 * called into libbpf, which is what lets a call collect "its" messages in a thread-local
 * {@link Capture}. The callback never lets an exception escape: a throwing upcall ends the JVM.
 */
public final class LibbpfLog {
    /** The logger libbpf's messages go to. libbpf's WARN, INFO, DEBUG map to WARNING, INFO, DEBUG. */
    public static final String LOGGER_NAME = "io.splitplane.kernel.bpf.libbpf";

    private static final System.Logger LOGGER = System.getLogger(LOGGER_NAME);
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;

    private static final class VsnprintfCall {
        static final MethodHandle HANDLE = Downcalls.plain(Downcalls.libc(), "vsnprintf",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    }
    private static final FunctionDescriptor PRINT_FN = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    /** Most messages fit; longer ones (a verifier log) are formatted a second time at their size. */
    private static final int FIRST_BUFFER_SIZE = 1024;
    private static final long VA_LIST_SIZE = vaListSize();
    /** Bounds what one failing call keeps in memory; the end of a verifier log is the useful part. */
    private static final int CAPTURE_LIMIT_CHARS = 1 << 20;

    private static final ThreadLocal<Capture> CAPTURE = new ThreadLocal<>();
    private static final List<Consumer<Message>> SUBSCRIBERS = new CopyOnWriteArrayList<>();
    private static boolean routed;

    private LibbpfLog() {
    }

    /** One formatted libbpf message, without its trailing newline. */
    public record Message(Level level, String text) {
    }

    /** Ends a {@link #subscribe} registration. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Also hands every libbpf message, at every level, to {@code subscriber} (on the thread that
     * called libbpf) until the returned subscription is closed. Meant for tests and diagnostics.
     */
    public static Subscription subscribe(Consumer<Message> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Libbpf.initialize();
        SUBSCRIBERS.add(subscriber);
        return () -> SUBSCRIBERS.remove(subscriber);
    }

    /**
     * Installs the callback. Called only from {@link Libbpf}'s class initialization, before its first
     * downcall, so whoever touches libbpf first routes its log, and no lock here is ever held while
     * waiting for that initialization (which would deadlock against it).
     */
    static synchronized void route() {
        if (routed) {
            return;
        }
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            // The global arena: libbpf may print from any thread until the process ends.
            Libbpf.setPrint(Downcalls.upcall(target, PRINT_FN, Arena.global()));
            routed = true;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Starts collecting the WARN and INFO messages libbpf prints on this thread, until closed. Captures
     * nest: an inner one sees only its own messages.
     */
    static Capture capture() {
        Capture capture = new Capture(CAPTURE.get());
        CAPTURE.set(capture);
        return capture;
    }

    /** The messages of one libbpf call, in order, each ending with a newline. */
    static final class Capture implements AutoCloseable {
        private final Capture outer;
        private final StringBuilder text = new StringBuilder();

        private Capture(Capture outer) {
            this.outer = outer;
        }

        String text() {
            return text.toString();
        }

        private void append(String message) {
            text.append(message);
            if (!message.endsWith("\n")) {
                text.append('\n');
            }
            if (text.length() > CAPTURE_LIMIT_CHARS) {
                text.delete(0, text.length() - CAPTURE_LIMIT_CHARS);
            }
        }

        @Override
        public void close() {
            if (outer == null) {
                CAPTURE.remove();
            } else {
                CAPTURE.set(outer);
            }
        }
    }

    /** The upcall target: {@code int (*)(enum libbpf_print_level, const char *, va_list)}. */
    @SuppressWarnings("unused") // called from native code
    private static int print(int libbpfLevel, MemorySegment format, MemorySegment args) {
        try {
            Level level = switch (libbpfLevel) {
                case LIBBPF_WARN -> Level.WARNING;
                case LIBBPF_INFO -> Level.INFO;
                default -> Level.DEBUG;
            };
            Capture capture = libbpfLevel <= LIBBPF_INFO ? CAPTURE.get() : null;
            // libbpf prints many DEBUG lines per load; format only what someone will read.
            if (capture == null && SUBSCRIBERS.isEmpty() && !LOGGER.isLoggable(level)) {
                return 0;
            }
            String text = format(format, args);
            if (capture != null) {
                capture.append(text);
            }
            String line = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            LOGGER.log(level, line);
            for (Consumer<Message> subscriber : SUBSCRIBERS) {
                subscriber.accept(new Message(level, line));
            }
        } catch (Throwable t) {
            // Nothing may cross back into libbpf; losing a log line is the lesser harm.
            try {
                LOGGER.log(Level.ERROR, "libbpf log callback failed", t);
            } catch (Throwable ignored) {
                // the logger itself failed; drop the message
            }
        }
        return 0;
    }

    private static String format(MemorySegment format, MemorySegment args) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            // A va_list can be consumed once; keep a copy (va_copy is a plain struct copy on the
            // ABIs below) in case the first buffer is too small.
            MemorySegment argsCopy = MemorySegment.NULL;
            if (VA_LIST_SIZE > 0) {
                argsCopy = arena.allocate(VA_LIST_SIZE, 8);
                MemorySegment.copy(args.reinterpret(VA_LIST_SIZE), 0, argsCopy, 0, VA_LIST_SIZE);
            }
            MemorySegment buffer = arena.allocate(FIRST_BUFFER_SIZE);
            int length = (int) VsnprintfCall.HANDLE.invokeExact(buffer, (long) FIRST_BUFFER_SIZE, format, args);
            if (length < 0) {
                return "(unformattable libbpf message: " + format.reinterpret(Long.MAX_VALUE).getString(0) + ")";
            }
            if (length >= FIRST_BUFFER_SIZE && VA_LIST_SIZE > 0) {
                buffer = arena.allocate(length + 1L);
                int second = (int) VsnprintfCall.HANDLE.invokeExact(buffer, length + 1L, format, argsCopy);
                if (second < 0) {
                    return "(unformattable libbpf message)";
                }
            }
            return buffer.getString(0);
        }
    }

    /**
     * Size of {@code va_list} where a callback receives it as a pointer to the list: the x86-64
     * System V {@code __va_list_tag[1]} (24 bytes) and the AArch64 AAPCS struct (32 bytes, passed by
     * reference). Elsewhere, 0: long messages are then cut at the first buffer's size.
     */
    private static long vaListSize() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 24;
            case "aarch64" -> 32;
            default -> 0;
        };
    }
}
