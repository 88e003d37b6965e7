package io.splitplane.kernel.bpf;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The open/closed state of one native resource (a libbpf object with its programs and maps, or an
 * owned map fd), shared by everything that uses it.
 *
 * <p>A use runs between {@link #enter()} and {@link #exit()}; {@link #close} waits until no use is in
 * flight, releases the resource once, and every later {@code enter()} throws
 * {@link IllegalStateException}. So a libbpf pointer is never handed to libbpf after it was freed, and
 * an fd number is never used after the kernel may have given it to someone else, even when one
 * thread closes while another still works.
 */
final class Lifetime {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private boolean closed; // guarded by lock

    /** @param what the resource, for messages, e.g. {@code "BPF object 'counter'"} */
    Lifetime(String what) {
        this.what = what;
    }

    /** Starts a use; throws {@link IllegalStateException} once closed. Pair with {@link #exit()} in finally. */
    void enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new IllegalStateException(what + " is closed");
        }
    }

    void exit() {
        lock.readLock().unlock();
    }

    boolean isOpen() {
        lock.readLock().lock();
        try {
            return !closed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Marks the resource closed and runs {@code release} exactly once, after every use in flight has
     * ended; later calls do nothing.
     */
    void close(Runnable release) {
        if (lock.getReadHoldCount() > 0) {
            // The write lock would wait for this very thread forever.
            throw new IllegalStateException(what + " cannot be closed while this thread is using it");
        }
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            release.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    String what() {
        return what;
    }
}
