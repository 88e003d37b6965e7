package io.splitplane.kernel.sys;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An owned file descriptor that is closed exactly once. {@link #get()} after {@link #close()}
 * throws instead of handing out a number the kernel may already have given to someone else.
 */
public final class FileDescriptor implements AutoCloseable {
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(FileDescriptor.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private final String description;
    @SuppressWarnings("unused") // accessed through CLOSED
    private volatile boolean closed;

    /**
     * Takes ownership of {@code fd}.
     *
     * @param description what the descriptor is, used in error messages (e.g. {@code "netlink socket"})
     */
    public FileDescriptor(int fd, String description) {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid file descriptor fd=" + fd + " for " + description);
        }
        this.fd = fd;
        this.description = description;
    }

    /** The descriptor number. Throws {@link IllegalStateException} once closed. */
    public int get() {
        if (closed) {
            throw new IllegalStateException(description + " is closed");
        }
        return fd;
    }

    public boolean isOpen() {
        return !closed;
    }

    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            Libc.close0(fd);
        }
    }

    @Override
    public String toString() {
        return description + "(fd=" + fd + (closed ? ", closed" : "") + ")";
    }
}
