package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A raw netlink socket ({@code NETLINK_ROUTE} unless told otherwise), bound with a kernel-assigned
 * port id, and the memory it sends and receives through. Owns the fd and the arena; {@link #close()} releases both once.
 *
 * <p>Not thread-safe: {@link RtnetlinkSocket} and {@link RtnetlinkSubscription} each own one and
 * serialise access to it.
 */
final class NetlinkSocket implements NetlinkTransport, AutoCloseable {
    /** Comfortably above the ~32 KiB the kernel packs into one dump datagram. */
    static final int INITIAL_RECEIVE_BUFFER_BYTES = 64 * 1024;
    private static final int POLLIN = 0x1;
    /** {@code struct pollfd}: int fd, short events, short revents. */
    private static final int POLLFD_SIZE = 8;
    private static final int POLLFD_EVENTS = 4;
    /** {@code struct timeval}: long tv_sec, long tv_usec. */
    private static final int TIMEVAL_SIZE = 16;

    private final FileDescriptor fd;
    private final Arena arena;
    private final MemorySegment kernelAddress;
    private final MemorySegment pollFd;
    private final int portId;
    private MemorySegment receiveBuffer;
    private boolean closed;

    private NetlinkSocket(FileDescriptor fd, Arena arena, int portId) {
        this.fd = fd;
        this.arena = arena;
        this.portId = portId;
        this.kernelAddress = arena.allocate(SockaddrNlLayout.LAYOUT);
        kernelAddress.set(JAVA_SHORT, SockaddrNlLayout.FAMILY, (short) Netlink.AF_NETLINK);
        this.pollFd = arena.allocate(POLLFD_SIZE, 8);
        this.receiveBuffer = arena.allocate(INITIAL_RECEIVE_BUFFER_BYTES, 8);
    }

    /** Opens and binds a {@code NETLINK_ROUTE} socket in the calling thread's network namespace. */
    static NetlinkSocket open(String description) {
        return open(description, Netlink.NETLINK_ROUTE, "NETLINK_ROUTE");
    }

    /** Opens and binds a socket of another netlink protocol (e.g. {@code NETLINK_GENERIC}). */
    static NetlinkSocket open(String description, int protocol, String protocolName) {
        int raw = Libc.socket("socket(AF_NETLINK, " + protocolName + ") for " + description,
                Netlink.AF_NETLINK, Netlink.SOCK_RAW | Netlink.SOCK_CLOEXEC, protocol);
        FileDescriptor fd = new FileDescriptor(raw, description);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment local = arena.allocate(SockaddrNlLayout.LAYOUT);
            local.set(JAVA_SHORT, SockaddrNlLayout.FAMILY, (short) Netlink.AF_NETLINK);
            Libc.bind("bind(AF_NETLINK) for " + description, raw, local);
            Libc.getsockname("getsockname(AF_NETLINK) for " + description, raw, local);
            return new NetlinkSocket(fd, arena, local.get(JAVA_INT, SockaddrNlLayout.PID));
        } catch (RuntimeException e) {
            fd.close();
            arena.close();
            throw e;
        }
    }

    /** The port id the kernel assigned (replies carry it in {@code nlmsg_pid}). */
    int portId() {
        return portId;
    }

    String description() {
        return fd.description();
    }

    /** Sets an int option; false if the kernel does not support it (older kernels lack some). */
    boolean trySetOption(int level, int name, int value) {
        try (Arena a = Arena.ofConfined()) {
            return Libc.setsockopt0(fd.get(), level, name, a.allocateFrom(JAVA_INT, value), 4) >= 0;
        }
    }

    void setOption(String operation, int level, int name, int value) {
        Libc.setsockopt(operation, fd.get(), level, name, value);
    }

    int intOption(String operation, int level, int name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(JAVA_INT);
            Libc.getsockopt(operation, fd.get(), level, name, value);
            return value.get(JAVA_INT, 0);
        }
    }

    /** Bounds every blocking receive, so a kernel that never answers cannot hang the caller forever. */
    void setReceiveTimeout(Duration timeout) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment timeval = a.allocate(TIMEVAL_SIZE, 8);
            timeval.set(JAVA_LONG, 0, timeout.toSeconds());
            timeval.set(JAVA_LONG, 8, timeout.toMillisPart() * 1000L);
            Libc.setsockopt("setsockopt(SO_RCVTIMEO)", fd.get(), Netlink.SOL_SOCKET, Netlink.SO_RCVTIMEO, timeval);
        }
    }

    @Override
    public void send(MemorySegment message) {
        long sent = Libc.sendto("sendto(" + fd.description() + ")", fd.get(), message, message.byteSize(), 0,
                kernelAddress);
        if (sent != message.byteSize()) {
            throw new KernelException("sendto(" + fd.description() + ")", Errno.EIO,
                    "short send: sent=" + sent + ", length=" + message.byteSize());
        }
    }

    @Override
    public MemorySegment receive() {
        while (true) {
            long n = receive0(0);
            if (n >= 0) {
                return datagram(n);
            }
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n == -Errno.EAGAIN) {
                throw new KernelException("recv(" + fd.description() + ")", Errno.EAGAIN, "no reply from the kernel in time");
            }
            throw new KernelException("recv(" + fd.description() + ")", (int) -n);
        }
    }

    /**
     * Receives one datagram into the internal buffer and returns its length, or {@code -errno}.
     * A {@code MSG_PEEK | MSG_TRUNC} look first learns the datagram's real size and grows the
     * buffer when needed, so nothing is ever truncated.
     */
    long receive0(int flags) {
        int raw = fd.get();
        long size = Libc.recvfrom0(raw, receiveBuffer, receiveBuffer.byteSize(), flags | Netlink.MSG_PEEK | Netlink.MSG_TRUNC,
                MemorySegment.NULL, MemorySegment.NULL);
        if (size < 0) {
            return size;
        }
        if (size > receiveBuffer.byteSize()) {
            receiveBuffer = arena.allocate(Long.highestOneBit(size) << 1, 8);
        }
        return Libc.recvfrom0(raw, receiveBuffer, receiveBuffer.byteSize(), flags, MemorySegment.NULL, MemorySegment.NULL);
    }

    /** The datagram of {@code length} bytes that {@link #receive0} just read. */
    MemorySegment datagram(long length) {
        return receiveBuffer.asSlice(0, length);
    }

    /** Waits until a datagram (or an error such as ENOBUFS) is pending: >0 ready, 0 timed out, <0 -errno. */
    int awaitReadable(int timeoutMs) {
        pollFd.set(JAVA_INT, 0, fd.get());
        pollFd.set(JAVA_SHORT, POLLFD_EVENTS, (short) POLLIN);
        return Libc.poll0(pollFd, 1, timeoutMs);
    }

    boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        fd.close();
        arena.close();
    }
}
