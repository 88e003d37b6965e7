package io.splitplane.kernel.sys;

/**
 * A kernel or native-library call failed. Names the operation and, when there is one, the errno.
 *
 * <p>Unchecked on purpose: kernel failures are answers the caller inspects ({@link #errno()}) or
 * reports, and most work here runs inside lambdas (namespace tasks) where checked exceptions only
 * get wrapped.
 */
public class KernelException extends RuntimeException {
    private final String operation;
    private final int errno;

    public KernelException(String operation, int errno) {
        this(operation, errno, null, null);
    }

    public KernelException(String operation, int errno, String detail) {
        this(operation, errno, detail, null);
    }

    public KernelException(String operation, int errno, String detail, Throwable cause) {
        super(message(operation, errno, detail), cause);
        this.operation = operation;
        this.errno = errno;
    }

    private static String message(String operation, int errno, String detail) {
        StringBuilder b = new StringBuilder(operation);
        if (errno != 0) {
            b.append(" failed: ").append(Errno.name(errno)).append(" (").append(Errno.describe(errno)).append(')');
        } else {
            b.append(" failed");
        }
        if (detail != null && !detail.isEmpty()) {
            b.append(": ").append(detail);
        }
        return b.toString();
    }

    /** The call that failed, e.g. {@code "bind(AF_XDP)"} or {@code "RTM_NEWROUTE"}. */
    public String operation() {
        return operation;
    }

    /** The positive errno value, or 0 when the failure has none. */
    public int errno() {
        return errno;
    }
}
