package io.splitplane.kernel.bpf;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import java.util.List;
import java.util.Map;

/**
 * A libbpf call failed. Besides the operation and errno of every {@link KernelException}, it carries
 * what libbpf printed while the call ran ({@link #libbpfLog()}), and from that the verifier's log
 * when the kernel rejected a program ({@link #verifierLog()}). The message names the error with
 * libbpf's own text, which also covers libbpf's private codes (4000 and up).
 */
public class BpfException extends KernelException {
    /** libbpf's own error codes ({@code enum libbpf_errno}, libbpf.h). */
    private static final Map<Integer, String> LIBBPF_ERRNO_NAMES = Map.ofEntries(
            Map.entry(4000, "LIBBPF_ERRNO__LIBELF"), Map.entry(4001, "LIBBPF_ERRNO__FORMAT"),
            Map.entry(4002, "LIBBPF_ERRNO__KVERSION"), Map.entry(4003, "LIBBPF_ERRNO__ENDIAN"),
            Map.entry(4004, "LIBBPF_ERRNO__INTERNAL"), Map.entry(4005, "LIBBPF_ERRNO__RELOC"),
            Map.entry(4006, "LIBBPF_ERRNO__LOAD"), Map.entry(4007, "LIBBPF_ERRNO__VERIFY"),
            Map.entry(4008, "LIBBPF_ERRNO__PROG2BIG"), Map.entry(4009, "LIBBPF_ERRNO__KVER"),
            Map.entry(4010, "LIBBPF_ERRNO__PROGTYPE"), Map.entry(4011, "LIBBPF_ERRNO__WRNGPID"),
            Map.entry(4012, "LIBBPF_ERRNO__INVSEQ"), Map.entry(4013, "LIBBPF_ERRNO__NLPARSE"));
    private static final String LOG_BEGIN = "-- BEGIN PROG LOAD LOG --";
    private static final String LOG_END = "-- END PROG LOAD LOG --";
    /** How much of a verifier log the message shows; the whole log is in {@link #verifierLog()}. */
    private static final int VERIFIER_TAIL_LINES = 25;

    private final String detail;
    private final String libbpfLog;
    private final String message;

    /**
     * @param operation the libbpf call and its subject, e.g. {@code "bpf_object__load(counter)"}
     * @param errno     the positive error code libbpf returned (an errno, or a libbpf code)
     * @param detail    what the caller knows that explains the failure, or null
     * @param libbpfLog what libbpf printed (WARN and INFO) during the call, or null
     */
    public BpfException(String operation, int errno, String detail, String libbpfLog) {
        super(operation, errno, detail);
        this.detail = detail;
        this.libbpfLog = libbpfLog == null ? "" : libbpfLog;
        this.message = compose(operation, errno, detail, this.libbpfLog);
    }

    /** Everything libbpf printed at WARN and INFO level while the failed call ran; may be empty. */
    public String libbpfLog() {
        return libbpfLog;
    }

    /** The kernel verifier's log of the rejected program, or "" if the failure was not a rejection. */
    public String verifierLog() {
        int begin = libbpfLog.indexOf(LOG_BEGIN);
        if (begin < 0) {
            return "";
        }
        int start = libbpfLog.indexOf('\n', begin);
        int end = libbpfLog.indexOf(LOG_END, begin);
        if (start < 0) {
            return "";
        }
        return libbpfLog.substring(start + 1, end < 0 ? libbpfLog.length() : end);
    }

    /** The caller's explanation, or null. */
    public String detail() {
        return detail;
    }

    @Override
    public String getMessage() {
        return message;
    }

    /** The symbolic name: libbpf's own codes by their enum name, others as {@link Errno#name}. */
    static String errnoName(int errno) {
        String name = LIBBPF_ERRNO_NAMES.get(errno);
        return name != null ? name : Errno.name(errno);
    }

    /** libbpf's own codes by name, for the header check. */
    static Map<Integer, String> libbpfErrnoNames() {
        return LIBBPF_ERRNO_NAMES;
    }

    private String compose(String operation, int errno, String detail, String log) {
        StringBuilder b = new StringBuilder(operation).append(" failed");
        if (errno != 0) {
            b.append(": ").append(errnoName(errno)).append(" (").append(Libbpf.strerror(errno)).append(')');
        }
        if (detail != null && !detail.isEmpty()) {
            b.append(": ").append(detail);
        }
        // libbpf's own lines say what went wrong; the verifier log is cut to its end, where the
        // rejected instruction and the reason are.
        String verifier = verifierLog();
        String around = log;
        int begin = log.indexOf(LOG_BEGIN);
        if (begin >= 0) {
            int end = log.indexOf(LOG_END, begin);
            int lineStart = log.lastIndexOf('\n', begin) + 1;
            int after = end < 0 ? log.length() : log.indexOf('\n', end);
            around = log.substring(0, lineStart) + (after < 0 ? "" : log.substring(after + 1));
        }
        for (String line : around.strip().lines().toList()) {
            b.append("\n  ").append(line.strip());
        }
        if (!verifier.isEmpty()) {
            List<String> lines = verifier.strip().lines().toList();
            int from = Math.max(0, lines.size() - VERIFIER_TAIL_LINES);
            b.append("\n  verifier log").append(from > 0 ? " (last " + (lines.size() - from) + " of " + lines.size()
                    + " lines)" : "").append(':');
            for (String line : lines.subList(from, lines.size())) {
                b.append("\n    ").append(line);
            }
        }
        return b.toString();
    }
}
