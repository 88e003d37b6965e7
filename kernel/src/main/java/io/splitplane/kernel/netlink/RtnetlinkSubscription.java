package io.splitplane.kernel.netlink;

import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A socket subscribed to rtnetlink multicast groups, delivering change notifications to a
 * {@link RtnetlinkListener}. It is separate from {@link RtnetlinkSocket} so that notifications
 * and dump replies never interleave.
 *
 * <p>Lost notifications are an answer, not an error: when the receive buffer overflows, the kernel
 * drops notifications and the next receive fails with ENOBUFS; {@link #poll} turns that into
 * {@link RtnetlinkListener#onResyncNeeded()} and carries on. To keep a mirror correct, subscribe
 * first, then dump on a request socket, then apply events (the same order again after a resync).
 *
 * <p>Meant for one polling thread. {@link #close()} from another thread waits for a running
 * {@link #poll} to return (at most its timeout).
 */
public final class RtnetlinkSubscription implements AutoCloseable {
    /** Datagrams read per {@link #poll}, so that a flood of changes cannot keep one call going forever. */
    static final int MAX_DATAGRAMS_PER_POLL = 256;

    private final ReentrantLock lock = new ReentrantLock();
    private final NetlinkSocket socket;
    private final Set<RtnetlinkGroup> groups;
    private final NetlinkMessage message = new NetlinkMessage();
    private boolean closed;

    private RtnetlinkSubscription(NetlinkSocket socket, Set<RtnetlinkGroup> groups) {
        this.socket = socket;
        this.groups = groups;
    }

    /** Subscribes to {@code groups} in the calling thread's namespace, with the default receive buffer. */
    public static RtnetlinkSubscription open(Set<RtnetlinkGroup> groups) {
        return open(groups, 0);
    }

    /**
     * Subscribes to {@code groups} in the calling thread's namespace.
     *
     * @param receiveBufferBytes receive buffer size; 0 keeps the system default. Larger buffers
     *                           (several MiB) make ENOBUFS rarer when changes come in bursts. Set with
     *                           SO_RCVBUFFORCE (root may exceed {@code net.core.rmem_max}), else
     *                           SO_RCVBUF. The kernel doubles the value for its bookkeeping.
     */
    public static RtnetlinkSubscription open(Set<RtnetlinkGroup> groups, int receiveBufferBytes) {
        Objects.requireNonNull(groups, "groups");
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("subscribe to at least one group");
        }
        if (receiveBufferBytes < 0) {
            throw new IllegalArgumentException("receiveBufferBytes=" + receiveBufferBytes + " must not be negative");
        }
        Set<RtnetlinkGroup> joined = Set.copyOf(EnumSet.copyOf(groups));
        NetlinkSocket socket = NetlinkSocket.open("rtnetlink subscription");
        try {
            if (receiveBufferBytes > 0
                    && !socket.trySetOption(Netlink.SOL_SOCKET, Netlink.SO_RCVBUFFORCE, receiveBufferBytes)) {
                socket.setOption("setsockopt(SO_RCVBUF)", Netlink.SOL_SOCKET, Netlink.SO_RCVBUF, receiveBufferBytes);
            }
            for (RtnetlinkGroup group : joined) {
                socket.setOption("setsockopt(NETLINK_ADD_MEMBERSHIP, " + group + ")", Netlink.SOL_NETLINK,
                        Netlink.NETLINK_ADD_MEMBERSHIP, group.number());
            }
            return new RtnetlinkSubscription(socket, joined);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Subscribes inside {@code ns}, with the default receive buffer. */
    public static RtnetlinkSubscription open(NetNamespace ns, Set<RtnetlinkGroup> groups) {
        return open(ns, groups, 0);
    }

    /** Subscribes inside {@code ns}; see {@link #open(Set, int)}. */
    public static RtnetlinkSubscription open(NetNamespace ns, Set<RtnetlinkGroup> groups, int receiveBufferBytes) {
        Objects.requireNonNull(ns, "ns");
        return ns.call(() -> open(groups, receiveBufferBytes));
    }

    public Set<RtnetlinkGroup> groups() {
        return groups;
    }

    /** The receive buffer the kernel actually granted (SO_RCVBUF), in bytes. */
    public int receiveBufferBytes() {
        lock.lock();
        try {
            ensureOpen();
            return socket.intOption("getsockopt(SO_RCVBUF)", Netlink.SOL_SOCKET, Netlink.SO_RCVBUF);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeout} for notifications, then delivers everything pending (up to
     * {@link #MAX_DATAGRAMS_PER_POLL} datagrams) to {@code listener} without waiting further.
     * {@link Duration#ZERO} only takes what is already there.
     *
     * <p>If the listener throws, the remaining events of this call are still delivered, and the first
     * exception is rethrown at the end, the others suppressed in it.
     *
     * @return the number of callbacks made (events plus resync signals); 0 if the wait timed out
     */
    public int poll(RtnetlinkListener listener, Duration timeout) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout=" + timeout + " must not be negative");
        }
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        lock.lock();
        try {
            ensureOpen();
            int ready = socket.awaitReadable(timeoutMs);
            if (ready == -Errno.EINTR || ready == 0) {
                return 0;
            }
            if (ready < 0) {
                throw new KernelException("poll(rtnetlink subscription)", -ready);
            }
            return drain(listener);
        } finally {
            lock.unlock();
        }
    }

    private int drain(RtnetlinkListener listener) {
        Delivery delivery = new Delivery(listener);
        for (int i = 0; i < MAX_DATAGRAMS_PER_POLL; i++) {
            long n = socket.receive0(Netlink.MSG_DONTWAIT);
            if (n == -Errno.EAGAIN) {
                break;
            }
            if (n == -Errno.ENOBUFS) {
                delivery.resyncNeeded();
                continue;
            }
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n < 0) {
                throw new KernelException("recv(rtnetlink subscription)", (int) -n);
            }
            message.wrap(socket.datagram(n));
            while (message.next()) {
                if (message.type() == Netlink.NLMSG_OVERRUN) {
                    delivery.resyncNeeded();
                    continue;
                }
                RtnetlinkEvent event = RtnetlinkDecoder.event(message);
                if (event != null) {
                    delivery.event(event);
                }
            }
        }
        return delivery.finish();
    }

    /** Calls the listener, keeping count and holding on to what it throws until the end of the batch. */
    private static final class Delivery {
        private final RtnetlinkListener listener;
        private int callbacks;
        private RuntimeException failure;

        Delivery(RtnetlinkListener listener) {
            this.listener = listener;
        }

        void event(RtnetlinkEvent event) {
            callbacks++;
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                remember(e);
            }
        }

        void resyncNeeded() {
            callbacks++;
            try {
                listener.onResyncNeeded();
            } catch (RuntimeException e) {
                remember(e);
            }
        }

        private void remember(RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }

        int finish() {
            if (failure != null) {
                throw failure;
            }
            return callbacks;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("rtnetlink subscription is closed");
        }
    }

    /** Leaves the groups and closes the socket; a second call does nothing. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            socket.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "RtnetlinkSubscription[" + groups + (closed ? ", closed" : "") + "]";
    }
}
