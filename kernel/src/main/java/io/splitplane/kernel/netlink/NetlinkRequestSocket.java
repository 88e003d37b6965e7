package io.splitplane.kernel.netlink;

import java.lang.foreign.Arena;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What every request socket of this package shares: one netlink socket, the buffer requests are
 * built in, the request/reply exchange, and the lock that serialises threads on them. Subclasses
 * build a request and run it inside {@link #locked}; any use after {@link #close()} throws
 * {@link IllegalStateException}.
 */
abstract class NetlinkRequestSocket implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final String kind;
    final NetlinkSocket socket;
    private final Arena arena;
    final MessageWriter writer;
    final RequestExchange exchange;
    private boolean closed;

    /**
     * @param kind         what the socket is, for the closed-socket error ({@code "rtnetlink socket"})
     * @param requestNames names a request by its {@code nlmsg_type} in exceptions
     */
    NetlinkRequestSocket(String kind, NetlinkSocket socket, int requestBufferBytes, IntFunction<String> requestNames) {
        this.kind = kind;
        this.socket = socket;
        this.arena = Arena.ofShared();
        this.writer = new MessageWriter(arena.allocate(requestBufferBytes, 8));
        this.exchange = new RequestExchange(socket, requestNames);
    }

    /** Runs {@code action} alone on this socket. */
    final <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException(kind + " is closed");
            }
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    final void run(Runnable action) {
        locked(() -> {
            action.run();
            return null;
        });
    }

    final boolean isClosed() {
        return closed;
    }

    static void requireIfindex(int ifindex) {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("ifindex=" + ifindex + " must be positive");
        }
    }

    /** Closes the socket; a second call does nothing. Waits for a request in progress on another thread. */
    @Override
    public final void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            socket.close();
            arena.close();
        } finally {
            lock.unlock();
        }
    }
}
