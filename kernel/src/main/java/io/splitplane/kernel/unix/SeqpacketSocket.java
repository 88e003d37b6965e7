package io.splitplane.kernel.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code SOCK_SEQPACKET} unix socket: message boundaries are kept (one send is one receive), the
 * connection is reliable and ordered, and a message may carry a file descriptor (SCM_RIGHTS). The
 * server side knows who connected ({@link #peerCredentials()}, SO_PEERCRED).
 *
 * <p>Blocking calls take a timeout and wait in {@code poll(2)}, so a thread serving a socket can
 * notice that it should stop. One owner: the socket is closed exactly once.
 */
public final class SeqpacketSocket implements AutoCloseable {
    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_PEERCRED = 17;
    static final int SCM_RIGHTS = 1;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final short POLLIN = 0x001;
    static final short POLLHUP = 0x010;

    /** {@code struct pollfd}: int fd @0, short events @4, short revents @6. */
    private static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

    private final FileDescriptor fd;
    private final Path path;

    private SeqpacketSocket(FileDescriptor fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Binds a listening socket at {@code path} (which must not exist) with {@code backlog} pending
     * connections. The caller removes the file after closing.
     */
    public static SeqpacketSocket listen(Path path, int backlog) {
        FileDescriptor fd = open("socket(AF_UNIX, SOCK_SEQPACKET) for " + path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = address(arena, path);
            int r = Libc.bind0(fd.get(), address, SockaddrUnLayout.SIZE);
            if (r < 0) {
                throw new KernelException("bind(" + path + ")", -r);
            }
            r = Libc.listen0(fd.get(), backlog);
            if (r < 0) {
                throw new KernelException("listen(" + path + ")", -r);
            }
            return new SeqpacketSocket(fd, path);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Connects to the listening socket at {@code path}. */
    public static SeqpacketSocket connect(Path path) {
        FileDescriptor fd = open("socket(AF_UNIX, SOCK_SEQPACKET) to " + path);
        try (Arena arena = Arena.ofConfined()) {
            int r = Libc.connect0(fd.get(), address(arena, path), SockaddrUnLayout.SIZE);
            if (r < 0) {
                throw new KernelException("connect(" + path + ")", -r);
            }
            return new SeqpacketSocket(fd, path);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private static FileDescriptor open(String what) {
        int r = Libc.socket0(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (r < 0) {
            throw new KernelException(what, -r);
        }
        return new FileDescriptor(r, "unix seqpacket socket");
    }

    private static MemorySegment address(Arena arena, Path path) {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= SockaddrUnLayout.PATH_BYTES) {
            throw new IllegalArgumentException("unix socket path is " + bytes.length + " bytes, at most "
                    + (SockaddrUnLayout.PATH_BYTES - 1) + ": " + path);
        }
        MemorySegment a = arena.allocate(SockaddrUnLayout.LAYOUT);
        a.set(JAVA_SHORT, SockaddrUnLayout.FAMILY, (short) AF_UNIX);
        MemorySegment.copy(bytes, 0, a, JAVA_BYTE, SockaddrUnLayout.PATH, bytes.length);
        return a;
    }

    /**
     * Waits up to {@code timeout} for a connection on a listening socket.
     *
     * @return the connection, or empty when none came in time
     */
    public Optional<SeqpacketSocket> accept(Duration timeout) {
        if (!awaitReadable(timeout)) {
            return Optional.empty();
        }
        int r = Libc.accept40(fd.get(), SOCK_CLOEXEC);
        if (r < 0) {
            if (r == -Errno.EAGAIN || r == -Errno.EINTR) {
                return Optional.empty();
            }
            throw new KernelException("accept4(" + path + ")", -r);
        }
        return Optional.of(new SeqpacketSocket(new FileDescriptor(r, "unix seqpacket connection"), path));
    }

    /** The process that connected (server side) or listens (client side), as of connect time. */
    public PeerCredentials peerCredentials() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cred = arena.allocate(UcredLayout.LAYOUT);
            Libc.getsockopt("getsockopt(SO_PEERCRED)", fd.get(), SOL_SOCKET, SO_PEERCRED, cred);
            return new PeerCredentials(cred.get(JAVA_INT, UcredLayout.PID), cred.get(JAVA_INT, UcredLayout.UID),
                    cred.get(JAVA_INT, UcredLayout.GID));
        }
    }

    /** Sends one message. */
    public void send(byte[] data) {
        sendPassing(data, -1);
    }

    /**
     * Sends one message with {@code passed} attached as SCM_RIGHTS: the receiver gets its own
     * descriptor for the same open file; the caller keeps (and still owns) {@code passed}.
     */
    public void send(byte[] data, FileDescriptor passed) {
        sendPassing(data, passed.get());
    }

    /**
     * {@link #send(byte[], FileDescriptor)} for a descriptor number owned elsewhere (a
     * {@code BpfMap}'s), valid for the duration of the call.
     */
    public void send(byte[] data, int passedFd) {
        if (passedFd < 0) {
            throw new IllegalArgumentException("passedFd=" + passedFd + " is not a descriptor");
        }
        sendPassing(data, passedFd);
    }

    private void sendPassing(byte[] data, int passed) {
        Objects.requireNonNull(data, "data");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buffer, JAVA_BYTE, 0, data.length);
            MemorySegment iov = arena.allocate(IoVecLayout.LAYOUT);
            iov.set(ADDRESS, IoVecLayout.BASE, buffer);
            iov.set(JAVA_LONG, IoVecLayout.LENGTH, data.length);
            MemorySegment msg = arena.allocate(MsgHdrLayout.LAYOUT);
            msg.set(ADDRESS, MsgHdrLayout.IOV, iov);
            msg.set(JAVA_LONG, MsgHdrLayout.IOV_LENGTH, 1);
            if (passed >= 0) {
                int space = CmsgHdrLayout.space(Integer.BYTES);
                MemorySegment control = arena.allocate(space, 8);
                control.set(JAVA_LONG, CmsgHdrLayout.LENGTH, CmsgHdrLayout.length(Integer.BYTES));
                control.set(JAVA_INT, CmsgHdrLayout.LEVEL, SOL_SOCKET);
                control.set(JAVA_INT, CmsgHdrLayout.TYPE, SCM_RIGHTS);
                control.set(JAVA_INT, CmsgHdrLayout.DATA, passed);
                msg.set(ADDRESS, MsgHdrLayout.CONTROL, control);
                msg.set(JAVA_LONG, MsgHdrLayout.CONTROL_LENGTH, space);
            }
            long r = Libc.sendmsg0(fd.get(), msg, MSG_NOSIGNAL);
            if (r < 0) {
                throw new KernelException("sendmsg(" + path + ")", (int) -r);
            }
        }
    }

    /**
     * Waits up to {@code timeout} for one message of at most {@code maxBytes}.
     *
     * @return the message; empty on timeout. After the peer closed, every receive returns a
     *         zero-length message at once (end of stream)
     */
    public Optional<SeqpacketMessage> receive(int maxBytes, Duration timeout) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes=" + maxBytes + " must be at least 1");
        }
        if (!awaitReadable(timeout)) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(maxBytes);
            MemorySegment iov = arena.allocate(IoVecLayout.LAYOUT);
            iov.set(ADDRESS, IoVecLayout.BASE, buffer);
            iov.set(JAVA_LONG, IoVecLayout.LENGTH, maxBytes);
            int space = CmsgHdrLayout.space(Integer.BYTES);
            MemorySegment control = arena.allocate(space, 8);
            MemorySegment msg = arena.allocate(MsgHdrLayout.LAYOUT);
            msg.set(ADDRESS, MsgHdrLayout.IOV, iov);
            msg.set(JAVA_LONG, MsgHdrLayout.IOV_LENGTH, 1);
            msg.set(ADDRESS, MsgHdrLayout.CONTROL, control);
            msg.set(JAVA_LONG, MsgHdrLayout.CONTROL_LENGTH, space);
            long n = Libc.recvmsg0(fd.get(), msg, MSG_CMSG_CLOEXEC);
            if (n < 0) {
                if (n == -Errno.EAGAIN || n == -Errno.EINTR) {
                    return Optional.empty();
                }
                throw new KernelException("recvmsg(" + path + ")", (int) -n);
            }
            int flags = msg.get(JAVA_INT, MsgHdrLayout.FLAGS);
            Optional<FileDescriptor> received = Optional.empty();
            long controlLength = msg.get(JAVA_LONG, MsgHdrLayout.CONTROL_LENGTH);
            if (controlLength >= CmsgHdrLayout.length(Integer.BYTES)
                    && control.get(JAVA_INT, CmsgHdrLayout.LEVEL) == SOL_SOCKET
                    && control.get(JAVA_INT, CmsgHdrLayout.TYPE) == SCM_RIGHTS) {
                received = Optional.of(new FileDescriptor(control.get(JAVA_INT, CmsgHdrLayout.DATA),
                        "descriptor received on " + path));
            }
            byte[] data = buffer.asSlice(0, n).toArray(JAVA_BYTE);
            return Optional.of(new SeqpacketMessage(data, received, (flags & MSG_TRUNC) != 0));
        }
    }

    /**
     * Whether the peer has closed its end: readable with nothing left but the end-of-stream
     * (checked without consuming a message).
     */
    public boolean isPeerClosed() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(POLLFD);
            p.set(JAVA_INT, 0, fd.get());
            p.set(JAVA_SHORT, 4, POLLIN);
            int r = Libc.poll0(p, 1, 0);
            return r > 0 && (p.get(JAVA_SHORT, 6) & POLLHUP) != 0;
        }
    }

    private boolean awaitReadable(Duration timeout) {
        long ms = Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(POLLFD);
            p.set(JAVA_INT, 0, fd.get());
            p.set(JAVA_SHORT, 4, POLLIN);
            int r = Libc.poll0(p, 1, (int) ms);
            if (r < 0 && r != -Errno.EINTR) {
                throw new KernelException("poll(" + path + ")", -r);
            }
            return r > 0;
        }
    }

    /** The socket file this socket listens on or is connected to. */
    public Path path() {
        return path;
    }

    public boolean isOpen() {
        return fd.isOpen();
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "SeqpacketSocket[" + path + ", " + fd + "]";
    }
}
