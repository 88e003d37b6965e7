package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An AF_XDP socket made from raw syscalls (interfaces.md section 4.3): socket, UMEM registration
 * (or a shared UMEM), ring sizes, {@code XDP_MMAP_OFFSETS}, one mmap per ring, bind, and the mode
 * check through {@code XDP_OPTIONS}.
 *
 * <p>The socket lives in the network namespace of the thread that creates it (create it inside
 * {@code NetNamespace.call}); afterwards any single thread may drive it. The rings are
 * single-producer/single-consumer: one worker thread per socket, no locks.
 *
 * <p>Hot-path calls ({@link #kickTx}, {@link #wakeupRx}, {@link #poll}, and the rings' batch
 * methods) allocate nothing and report back-pressure and transient errno as return values.
 *
 * <p>{@link #close()} unmaps the rings and closes the descriptor exactly once; any later use
 * throws {@link IllegalStateException}. Close sockets that share a UMEM before the socket that
 * registered it (their FILL/COMPLETION rings may be the owner's), and sockets before their
 * {@link Umem}. Closing a socket removes it from every XSKMAP.
 */
public final class XskSocket implements AutoCloseable {
    /** {@link #kickTx}/{@link #wakeupRx}: the kernel took the call. */
    public static final int KICK_DONE = 0;
    /** {@link #kickTx}/{@link #wakeupRx}: transient errno (EAGAIN, EBUSY, ENOBUFS, ENETDOWN, EINTR): try later. */
    public static final int KICK_AGAIN = 1;

    /** {@code struct pollfd}: int fd @0, short events @4, short revents @6. */
    static final StructLayout POLLFD_LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));
    static final long POLLFD_FD = POLLFD_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    static final long POLLFD_EVENTS = POLLFD_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    static final long POLLFD_REVENTS = POLLFD_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("revents"));

    private final FileDescriptor fd;
    private final Arena rings;
    private final MemorySegment pollFd;
    private final Umem umem;
    private final XskConfig config;
    private final int ifindex;
    private final int bindFlags;
    private final String netns;
    private final XskSocket umemOwner;
    private final boolean ownsFillCompletion;
    private final FillRing fill;
    private final CompletionRing completion;
    private final RxRing rx;
    private final TxRing tx;
    private final AtomicBoolean closed = new AtomicBoolean();

    // Counters, written by the one thread driving the socket.
    private long txKicks;
    private long txKickRetries;
    private long txKickErrors;
    private long rxWakeups;
    private long rxWakeupErrors;
    private int lastErrno;

    private XskSocket(Parts p) {
        this.fd = p.fd;
        this.rings = p.rings;
        this.pollFd = Arena.ofAuto().allocate(POLLFD_LAYOUT);
        this.umem = p.umem;
        this.config = p.config;
        this.ifindex = p.ifindex;
        this.bindFlags = p.bindFlags;
        this.netns = p.netns;
        this.umemOwner = p.owner;
        this.ownsFillCompletion = p.fill != null;
        this.fill = p.fill != null ? p.fill : p.owner.fill;
        this.completion = p.completion != null ? p.completion : p.owner.completion;
        this.rx = p.rx;
        this.tx = p.tx;
    }

    /** What {@link #open} builds, handed to the constructor in one piece. */
    private static final class Parts {
        FileDescriptor fd;
        Arena rings;
        Umem umem;
        XskConfig config;
        int ifindex;
        int bindFlags;
        String netns;
        XskSocket owner;
        FillRing fill;
        CompletionRing completion;
        RxRing rx;
        TxRing tx;
    }

    /**
     * Creates a socket that registers {@code umem} ({@code XDP_UMEM_REG}), creates its FILL and
     * COMPLETION rings, and binds to {@code config}'s (device, queue) in the calling thread's
     * network namespace. Prime the FILL ring afterwards.
     *
     * @throws IllegalStateException if {@code umem} is closed or already registered
     * @throws KernelException naming the failed step (e.g. {@code bind(AF_XDP)} with ENODEV)
     */
    public static XskSocket create(XskConfig config, Umem umem) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(umem, "umem");
        if (!umem.isOpen()) {
            throw new IllegalStateException("umem is closed");
        }
        if (umem.isRegistered()) {
            throw new IllegalStateException("umem is already registered with another socket;"
                    + " use XskSocket.createShared");
        }
        return open(config, umem, null);
    }

    /**
     * Creates a socket that shares {@code owner}'s UMEM ({@code XDP_SHARED_UMEM}). On the same
     * (device, queue) as {@code owner} it shares the owner's FILL and COMPLETION rings
     * ({@link #fill()} returns the owner's ring: drive both sockets' FILL from one thread); on a
     * different one it gets its own. The kernel takes no other bind flags here: mode and need-wakeup
     * are the owner's, and {@code config.mode()}/{@code needWakeup()} are ignored.
     */
    public static XskSocket createShared(XskConfig config, XskSocket owner) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(owner, "owner");
        owner.requireOpen();
        return open(config, owner.umem, owner);
    }

    private static XskSocket open(XskConfig config, Umem umem, XskSocket owner) {
        Parts p = new Parts();
        p.config = config;
        p.umem = umem;
        p.owner = owner;
        p.ifindex = resolveIfindex(config);
        p.netns = currentNetns();
        boolean sameQueue = owner != null && owner.ifindex == p.ifindex && owner.config.queueId() == config.queueId()
                && owner.netns.equals(p.netns);
        p.bindFlags = owner == null ? config.bindFlags() : AfXdp.XDP_SHARED_UMEM;
        int s = Libc.socket0(AfXdp.AF_XDP, AfXdp.SOCK_RAW | AfXdp.SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw new KernelException("socket(AF_XDP)", -s, -s == Errno.EPERM ? "needs CAP_NET_RAW" : null);
        }
        p.fd = new FileDescriptor(s, "AF_XDP socket");
        p.rings = Arena.ofShared();
        boolean umemTaken = false;
        try {
            if (owner == null) {
                umem.register(s);
            } else {
                umem.share();
            }
            umemTaken = true;
            try (Arena temp = Arena.ofConfined()) {
                MemorySegment intArg = temp.allocate(JAVA_INT);
                boolean ownFc = !sameQueue;
                if (ownFc) {
                    setInt(s, intArg, AfXdp.SOL_XDP, AfXdp.XDP_UMEM_FILL_RING, "XDP_UMEM_FILL_RING",
                            config.fillRingSize());
                    setInt(s, intArg, AfXdp.SOL_XDP, AfXdp.XDP_UMEM_COMPLETION_RING, "XDP_UMEM_COMPLETION_RING",
                            config.completionRingSize());
                }
                if (config.rxRingSize() > 0) {
                    setInt(s, intArg, AfXdp.SOL_XDP, AfXdp.XDP_RX_RING, "XDP_RX_RING", config.rxRingSize());
                }
                if (config.txRingSize() > 0) {
                    setInt(s, intArg, AfXdp.SOL_XDP, AfXdp.XDP_TX_RING, "XDP_TX_RING", config.txRingSize());
                }
                if (config.txBudget() > 0) {
                    setInt(s, intArg, AfXdp.SOL_XDP, AfXdp.XDP_MAX_TX_SKB_BUDGET, "XDP_MAX_TX_SKB_BUDGET",
                            config.txBudget());
                }
                if (config.busyPollUs() > 0) {
                    setInt(s, intArg, AfXdp.SOL_SOCKET, AfXdp.SO_PREFER_BUSY_POLL, "SO_PREFER_BUSY_POLL", 1);
                    setInt(s, intArg, AfXdp.SOL_SOCKET, AfXdp.SO_BUSY_POLL, "SO_BUSY_POLL", config.busyPollUs());
                    if (config.busyPollBudget() > 0) {
                        setInt(s, intArg, AfXdp.SOL_SOCKET, AfXdp.SO_BUSY_POLL_BUDGET, "SO_BUSY_POLL_BUDGET",
                                config.busyPollBudget());
                    }
                }

                MemorySegment offsets = temp.allocate(XdpMmapOffsetsLayout.LAYOUT);
                int written = Libc.getsockopt("getsockopt(XDP_MMAP_OFFSETS)", s, AfXdp.SOL_XDP, AfXdp.XDP_MMAP_OFFSETS,
                        offsets);
                if (ownFc) {
                    XdpRingLayout fl = XdpMmapOffsetsLayout.decode(offsets, written, XdpMmapOffsetsLayout.Ring.FILL,
                            XdpDescLayout.UMEM_ADDR_SIZE, config.fillRingSize());
                    p.fill = new FillRing(map(p.rings, s, fl, AfXdp.XDP_UMEM_PGOFF_FILL_RING, "FILL"), fl);
                    XdpRingLayout cl = XdpMmapOffsetsLayout.decode(offsets, written,
                            XdpMmapOffsetsLayout.Ring.COMPLETION, XdpDescLayout.UMEM_ADDR_SIZE,
                            config.completionRingSize());
                    p.completion = new CompletionRing(map(p.rings, s, cl, AfXdp.XDP_UMEM_PGOFF_COMPLETION_RING,
                            "COMPLETION"), cl);
                }
                if (config.rxRingSize() > 0) {
                    XdpRingLayout rl = XdpMmapOffsetsLayout.decode(offsets, written, XdpMmapOffsetsLayout.Ring.RX,
                            XdpDescLayout.SIZE, config.rxRingSize());
                    p.rx = new RxRing(map(p.rings, s, rl, AfXdp.XDP_PGOFF_RX_RING, "RX"), rl);
                }
                if (config.txRingSize() > 0) {
                    XdpRingLayout tl = XdpMmapOffsetsLayout.decode(offsets, written, XdpMmapOffsetsLayout.Ring.TX,
                            XdpDescLayout.SIZE, config.txRingSize());
                    p.tx = new TxRing(map(p.rings, s, tl, AfXdp.XDP_PGOFF_TX_RING, "TX"), tl);
                }

                MemorySegment address = temp.allocate(SockaddrXdpLayout.LAYOUT);
                int sharedFd = owner == null ? 0 : owner.fd.get();
                SockaddrXdpLayout.write(address, p.bindFlags, p.ifindex, config.queueId(), sharedFd);
                int r = Libc.bind0(s, address, (int) SockaddrXdpLayout.SIZE);
                if (r < 0) {
                    throw new KernelException("bind(AF_XDP)", -r, "ifindex=" + p.ifindex
                            + (config.interfaceName() != null ? " (" + config.interfaceName() + ")" : "")
                            + ", queueId=" + config.queueId() + ", flags=" + AfXdp.bindFlagsToString(p.bindFlags)
                            + (owner != null ? ", sharedUmemFd=" + sharedFd : "") + bindHint(-r, p.bindFlags));
                }
            }
            return new XskSocket(p);
        } catch (RuntimeException | Error e) {
            try {
                p.rings.close();
                p.fd.close();
            } finally {
                if (umemTaken) {
                    umem.release();
                }
            }
            throw e;
        }
    }

    private static String bindHint(int errno, int flags) {
        return switch (errno) {
            case Errno.ENODEV -> ": no such interface in this network namespace";
            case Errno.EBUSY -> ": the queue has a socket with another UMEM (or one just closed: the kernel"
                    + " releases a queue asynchronously, retry shortly)";
            case Errno.EOPNOTSUPP -> (flags & AfXdp.XDP_ZEROCOPY) != 0
                    ? ": the driver has no zero-copy support for this queue" : "";
            case Errno.EINVAL -> ": queue out of range, flags not allowed, or a ring/UMEM missing";
            default -> "";
        };
    }

    private static void setInt(int fd, MemorySegment arg, int level, int name, String what, int value) {
        arg.set(JAVA_INT, 0, value);
        int r = Libc.setsockopt0(fd, level, name, arg, Integer.BYTES);
        if (r < 0) {
            throw new KernelException("setsockopt(" + what + ")", -r, "value=" + value);
        }
    }

    @SuppressWarnings("restricted") // sizing a fresh ring mapping to exactly what was mapped
    private static MemorySegment map(Arena arena, int fd, XdpRingLayout layout, long pgoff, String ring) {
        final long length = layout.mmapLength();
        MemorySegment raw = Libc.mmap("mmap(" + ring + " ring)", length, AfXdp.PROT_READ | AfXdp.PROT_WRITE,
                AfXdp.MAP_SHARED | AfXdp.MAP_POPULATE, fd, pgoff);
        return raw.reinterpret(length, arena, s -> Libc.munmap0(s, length));
    }

    private static int resolveIfindex(XskConfig config) {
        if (config.interfaceName() == null) {
            return config.ifindex();
        }
        int index = Libc.ifNameToIndex0(config.interfaceName());
        if (index < 0) {
            throw new KernelException("if_nametoindex(" + config.interfaceName() + ")", -index,
                    "no such interface in this network namespace");
        }
        return index;
    }

    private static String currentNetns() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (IOException e) {
            return "unknown";
        }
    }

    // ---- rings -------------------------------------------------------------------------------------

    /** The FILL ring feeding this socket's receive side (the owner's, for a same-queue shared socket). */
    public FillRing fill() {
        return fill;
    }

    /** The COMPLETION ring for this socket's sends (the owner's, for a same-queue shared socket). */
    public CompletionRing completion() {
        return completion;
    }

    /** Whether {@link #fill()} and {@link #completion()} are this socket's own rings. */
    public boolean ownsFillAndCompletion() {
        return ownsFillCompletion;
    }

    public boolean hasRx() {
        return rx != null;
    }

    public boolean hasTx() {
        return tx != null;
    }

    /** @throws IllegalStateException if the socket was made with {@code rxRingSize=0} */
    public RxRing rx() {
        if (rx == null) {
            throw new IllegalStateException("socket fd=" + fd + " has no RX ring (rxRingSize=0)");
        }
        return rx;
    }

    /** @throws IllegalStateException if the socket was made with {@code txRingSize=0} */
    public TxRing tx() {
        if (tx == null) {
            throw new IllegalStateException("socket fd=" + fd + " has no TX ring (txRingSize=0)");
        }
        return tx;
    }

    // ---- hot path ----------------------------------------------------------------------------------

    /**
     * Tells the kernel to send what is on the TX ring: {@code sendto(fd, NULL, 0, MSG_DONTWAIT)}.
     * In copy mode the call itself sends, at most the TX budget (32 by default, see
     * {@link XskConfig#txBudget()}), and answers EAGAIN ({@link #KICK_AGAIN}) when more descriptors
     * are waiting: kick again while {@code tx().pending() > 0}. In zero-copy mode it only wakes the
     * driver.
     *
     * @return {@link #KICK_DONE}, {@link #KICK_AGAIN} for a transient errno, or {@code -errno} for a
     *         real failure (e.g. -ENXIO: not bound); never throws for kernel answers
     */
    public int kickTx() {
        final long r = Libc.sendto0(fd.get(), MemorySegment.NULL, 0, AfXdp.MSG_DONTWAIT, MemorySegment.NULL, 0);
        txKicks++;
        if (r >= 0) {
            return KICK_DONE;
        }
        final int errno = (int) -r;
        if (isTransient(errno)) {
            txKickRetries++;
            return KICK_AGAIN;
        }
        txKickErrors++;
        lastErrno = errno;
        return -errno;
    }

    /** {@link #kickTx()} only if the TX ring asks for a wakeup; else {@link #KICK_DONE}. */
    public int kickTxIfNeeded() {
        return tx().needsWakeup() ? kickTx() : KICK_DONE;
    }

    /**
     * Wakes the driver's receive side: {@code recvfrom(fd, NULL, 0, MSG_DONTWAIT)}. Call when
     * {@code fill().needsWakeup()}.
     *
     * @return as {@link #kickTx()}
     */
    public int wakeupRx() {
        final long r = Libc.recvfrom0(fd.get(), MemorySegment.NULL, 0, AfXdp.MSG_DONTWAIT, MemorySegment.NULL,
                MemorySegment.NULL);
        rxWakeups++;
        if (r >= 0) {
            return KICK_DONE;
        }
        final int errno = (int) -r;
        if (isTransient(errno)) {
            return KICK_AGAIN;
        }
        rxWakeupErrors++;
        lastErrno = errno;
        return -errno;
    }

    /** {@link #wakeupRx()} only if the FILL ring asks for it; else {@link #KICK_DONE}. */
    public int wakeupRxIfNeeded() {
        return fill.needsWakeup() ? wakeupRx() : KICK_DONE;
    }

    /**
     * {@code poll(2)} on this socket: waits up to {@code timeoutMs} (-1 forever, 0 not at all) for
     * {@code events} ({@link AfXdp#POLLIN}: RX not empty; {@link AfXdp#POLLOUT}: TX has room). In copy
     * mode a poll also drives TX.
     *
     * @return the returned events (0 on timeout or EINTR), or {@code -errno}
     */
    public int poll(final short events, final int timeoutMs) {
        final MemorySegment p = pollFd;
        p.set(JAVA_INT, POLLFD_FD, fd.get());
        p.set(JAVA_SHORT, POLLFD_EVENTS, events);
        p.set(JAVA_SHORT, POLLFD_REVENTS, (short) 0);
        final int r = Libc.poll0(p, 1, timeoutMs);
        if (r <= 0) {
            return r == -Errno.EINTR ? 0 : r;
        }
        return p.get(JAVA_SHORT, POLLFD_REVENTS) & 0xffff;
    }

    /** {@link #poll(short, int)} for {@link AfXdp#POLLIN}: waits for received frames. */
    public int poll(final int timeoutMs) {
        return poll(AfXdp.POLLIN, timeoutMs);
    }

    private static boolean isTransient(final int errno) {
        return errno == Errno.EAGAIN || errno == Errno.EBUSY || errno == Errno.ENOBUFS || errno == Errno.ENETDOWN
                || errno == Errno.EINTR;
    }

    // ---- control ------------------------------------------------------------------------------------

    /** The socket descriptor (e.g. the value for an XSKMAP entry). Throws once closed. */
    public int fd() {
        return fd.get();
    }

    public Umem umem() {
        return umem;
    }

    public XskConfig config() {
        return config;
    }

    /** The interface index bound to (resolved from the name if the config gave one). */
    public int ifindex() {
        return ifindex;
    }

    public int queueId() {
        return config.queueId();
    }

    /** The {@code sxdp_flags} used at bind. */
    public int bindFlags() {
        return bindFlags;
    }

    /** The socket whose UMEM this one shares, or null if it registered the UMEM itself. */
    public XskSocket umemOwner() {
        return umemOwner;
    }

    /** Whether the kernel runs this socket in zero-copy mode ({@code XDP_OPTIONS}). */
    public boolean isZeroCopy() {
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment options = temp.allocate(XdpOptionsLayout.LAYOUT);
            Libc.getsockopt("getsockopt(XDP_OPTIONS)", fd.get(), AfXdp.SOL_XDP, AfXdp.XDP_OPTIONS, options);
            return (options.get(JAVA_INT, XdpOptionsLayout.FLAGS_OFFSET) & AfXdp.XDP_OPTIONS_ZEROCOPY) != 0;
        }
    }

    /** The kernel's counters for this socket ({@code XDP_STATISTICS}). */
    public XskStatistics statistics() {
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment stats = temp.allocate(XdpStatisticsLayout.LAYOUT);
            int written = Libc.getsockopt("getsockopt(XDP_STATISTICS)", fd.get(), AfXdp.SOL_XDP, AfXdp.XDP_STATISTICS,
                    stats);
            return XdpStatisticsLayout.read(stats, written);
        }
    }

    /** {@link #kickTx()} calls made. */
    public long txKicks() {
        return txKicks;
    }

    /** {@link #kickTx()} calls that got a transient errno. */
    public long txKickRetries() {
        return txKickRetries;
    }

    /** {@link #kickTx()} calls that failed for real. */
    public long txKickErrors() {
        return txKickErrors;
    }

    /** {@link #wakeupRx()} calls made. */
    public long rxWakeups() {
        return rxWakeups;
    }

    /** {@link #wakeupRx()} calls that failed for real. */
    public long rxWakeupErrors() {
        return rxWakeupErrors;
    }

    /** errno of the last real kick/wakeup failure, 0 if none. */
    public int lastErrno() {
        return lastErrno;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("AF_XDP socket is closed");
        }
    }

    /**
     * Unmaps the rings, closes the descriptor and gives up the UMEM registration, exactly once; later
     * calls do nothing. Must not race with another thread using the socket.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            rings.close();
        } finally {
            try {
                fd.close();
            } finally {
                umem.release();
            }
        }
    }

    @Override
    public String toString() {
        return "XskSocket[" + fd + ", ifindex=" + ifindex + ", queue=" + config.queueId() + ", flags="
                + AfXdp.bindFlagsToString(bindFlags) + (closed.get() ? ", closed" : "") + "]";
    }
}
