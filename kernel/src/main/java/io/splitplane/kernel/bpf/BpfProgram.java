package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A loaded BPF program. Two kinds of ownership, one API, as for {@link BpfMap}: a program of a
 * {@link BpfObject} is <em>borrowed</em> (usable while the object is open, its fd valid only that
 * long, {@link #close()} does nothing); a program from {@link #openPinned} or {@link #fromFd} is
 * <em>owned</em> (its fd is closed exactly once by {@link #close()}), which is how another process
 * reaches a program it did not load. Either way every call after the end throws
 * {@link IllegalStateException}. What must outlive the program's owner holds its own reference
 * ({@link XdpAttachment}, a {@linkplain #pin pin}).
 */
public final class BpfProgram implements AutoCloseable {
    /** BPF_PROG_TYPE_XDP (linux/bpf.h). */
    public static final int TYPE_XDP = 6;
    /** BPF_PROG_TYPE_SCHED_CLS: tc classifier programs (libbpf section {@code "tc"}). */
    public static final int TYPE_SCHED_CLS = 3;

    /** Borrowed programs: the owning object and libbpf's program; null for owned programs. */
    private final BpfObject owner;
    private final MemorySegment handle;
    /** Owned programs: the fd and its lifetime; null for borrowed programs. */
    private final FileDescriptor ownedFd;
    private final Lifetime lifetime;
    private final String name;
    // Borrowed: set once by load(), under the owner's lock; owned: set at construction. Read by any thread.
    private volatile int fd = -1;
    private volatile int id;
    private volatile int ownedType;

    BpfProgram(BpfObject owner, MemorySegment handle, String name) {
        this.owner = owner;
        this.handle = handle;
        this.name = name;
        this.ownedFd = null;
        this.lifetime = null;
    }

    private BpfProgram(FileDescriptor ownedFd, ProgInfo info) {
        this.owner = null;
        this.handle = null;
        this.ownedFd = ownedFd;
        this.name = info.name();
        this.lifetime = new Lifetime("BPF program '" + info.name() + "' (" + ownedFd.description() + ")");
        this.ownedType = info.type();
        this.id = info.id();
        this.fd = ownedFd.get();
    }

    /**
     * Opens the program pinned at {@code path} (on a bpffs), e.g. by the process that loaded it; the
     * returned program owns its new fd. Its {@link #name()} is the kernel's (at most 15 characters).
     */
    public static BpfProgram openPinned(Path path) {
        int fd = BpfFs.open(path, "program");
        return fromFd(new FileDescriptor(fd, "BPF program pinned at " + path));
    }

    /**
     * Wraps an fd that refers to a BPF program. Takes ownership: the fd is closed by {@link #close()},
     * or right away if it is not a program.
     */
    public static BpfProgram fromFd(FileDescriptor fd) {
        Objects.requireNonNull(fd, "fd");
        try {
            int number = fd.get();
            String kind = fdKind(number);
            if (!"anon_inode:bpf-prog".equals(kind)) {
                throw new IllegalArgumentException(fd + " is not a BPF program (it is " + kind + ")");
            }
            return new BpfProgram(fd, ProgInfo.read(number, fd.description()));
        } catch (RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    private static String fdKind(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** The program's function name. */
    public String name() {
        return name;
    }

    /**
     * The program's fd: for a borrowed program valid until its object closes, for an owned one until
     * {@link #close()}.
     */
    public int fd() {
        enter();
        try {
            return loadedFd();
        } finally {
            exit();
        }
    }

    /** The kernel's id for the loaded program (as {@code bpftool prog show} lists it). */
    public int id() {
        enter();
        try {
            loadedFd();
            return id;
        } finally {
            exit();
        }
    }

    /**
     * BPF_PROG_TYPE_*, e.g. {@link #TYPE_XDP}: as libbpf derived it from the ELF section, or as the
     * kernel reports it for an owned program.
     */
    public int type() {
        enter();
        try {
            return owner == null ? ownedType : Libbpf.programType(handle);
        } finally {
            exit();
        }
    }

    /**
     * Attaches this XDP program to {@code ifindex} in the calling thread's network namespace. Fails
     * with EBUSY if a program is already attached in that mode: this never replaces someone else's
     * program.
     *
     * @param mode NATIVE, GENERIC, or NATIVE_OR_GENERIC to fall back to generic when the driver
     *             cannot run XDP (the attachment reports the mode that took)
     */
    public XdpAttachment attachXdp(int ifindex, XdpMode mode) {
        NetworkInterfaces.requireValidIndex(ifindex);
        Objects.requireNonNull(mode, "mode");
        enter();
        try {
            loadedFd();
            int type = owner == null ? ownedType : Libbpf.programType(handle);
            if (type != TYPE_XDP) {
                throw new IllegalStateException("program '" + name + "' is not an XDP program (BPF_PROG_TYPE "
                        + type + "); it cannot be attached to an interface");
            }
            return XdpAttachment.attach(name, id, ifindex, mode);
        } finally {
            exit();
        }
    }

    /** {@link #attachXdp(int, XdpMode)} to the interface of that name in the calling thread's namespace. */
    public XdpAttachment attachXdp(String interfaceName, XdpMode mode) {
        NetworkInterfaces.requireValidName(interfaceName);
        Objects.requireNonNull(mode, "mode");
        return attachXdp(NetworkInterfaces.indexOf(interfaceName), mode);
    }

    /**
     * Attaches this tc program as a direct-action filter on the clsact ingress hook of
     * {@code ifindex} in the calling thread's network namespace (the qdisc is created if missing).
     */
    public TcIngressAttachment attachTcIngress(int ifindex) {
        enter();
        try {
            int fd = loadedFd();
            int type = owner == null ? ownedType : Libbpf.programType(handle);
            if (type != TYPE_SCHED_CLS) {
                throw new IllegalStateException("program '" + name + "' is not a tc program (BPF_PROG_TYPE " + type
                        + "); it cannot be attached to a clsact hook");
            }
            return TcIngressAttachment.attach(name, fd, ifindex);
        } finally {
            exit();
        }
    }

    /** Pins the program at {@code path} on a bpffs, so it outlives this object. */
    public void pin(Path path) {
        enter();
        try {
            BpfFs.pin(loadedFd(), path, "program '" + name + "'");
        } finally {
            exit();
        }
    }

    /**
     * Removes a pin (of a program or a map: a pin is a name, whatever it names).
     *
     * @return false if nothing was pinned at {@code path}
     */
    public static boolean unpin(Path path) {
        return BpfFs.unpin(path);
    }

    /**
     * Runs the program in the kernel on a test packet (BPF_PROG_TEST_RUN); no interface is involved,
     * but the program's maps are the real ones.
     */
    public TestRunResult testRun(TestRun run) {
        Objects.requireNonNull(run, "run");
        enter();
        try (Arena arena = Arena.ofConfined()) {
            int progFd = loadedFd();
            byte[] data = run.data();
            byte[] context = run.context();
            MemorySegment opts = arena.allocate(BpfTestRunOptsLayout.LAYOUT);
            opts.set(JAVA_LONG, BpfTestRunOptsLayout.SZ, BpfTestRunOptsLayout.SIZE);
            opts.set(ADDRESS, BpfTestRunOptsLayout.DATA_IN, arena.allocateFrom(JAVA_BYTE, data));
            opts.set(JAVA_INT, BpfTestRunOptsLayout.DATA_SIZE_IN, data.length);
            MemorySegment dataOut = MemorySegment.NULL;
            if (run.dataOutCapacity() > 0) {
                dataOut = arena.allocate(run.dataOutCapacity());
                opts.set(ADDRESS, BpfTestRunOptsLayout.DATA_OUT, dataOut);
                opts.set(JAVA_INT, BpfTestRunOptsLayout.DATA_SIZE_OUT, run.dataOutCapacity());
            }
            MemorySegment contextOut = MemorySegment.NULL;
            if (context != null) {
                contextOut = arena.allocate(Math.max(1, context.length));
                opts.set(ADDRESS, BpfTestRunOptsLayout.CTX_IN, arena.allocateFrom(JAVA_BYTE, context));
                opts.set(JAVA_INT, BpfTestRunOptsLayout.CTX_SIZE_IN, context.length);
                opts.set(ADDRESS, BpfTestRunOptsLayout.CTX_OUT, contextOut);
                opts.set(JAVA_INT, BpfTestRunOptsLayout.CTX_SIZE_OUT, context.length);
            }
            opts.set(JAVA_INT, BpfTestRunOptsLayout.REPEAT, run.repeat());

            int r;
            String log;
            try (LibbpfLog.Capture capture = LibbpfLog.capture()) {
                r = Libbpf.progTestRunOpts(progFd, opts);
                log = capture.text();
            }
            if (r < 0) {
                throw new BpfException("bpf_prog_test_run_opts(program '" + name + "')", -r, testRunHint(-r, run), log);
            }
            // The kernel reports the full output length even when it had to cut it to the capacity.
            int outLength = Math.min(opts.get(JAVA_INT, BpfTestRunOptsLayout.DATA_SIZE_OUT), run.dataOutCapacity());
            byte[] out = run.dataOutCapacity() > 0 ? dataOut.asSlice(0, outLength).toArray(JAVA_BYTE) : new byte[0];
            byte[] ctxOut = new byte[0];
            if (context != null) {
                int ctxLength = Math.min(opts.get(JAVA_INT, BpfTestRunOptsLayout.CTX_SIZE_OUT), context.length);
                ctxOut = contextOut.asSlice(0, ctxLength).toArray(JAVA_BYTE);
            }
            long durationNs = Integer.toUnsignedLong(opts.get(JAVA_INT, BpfTestRunOptsLayout.DURATION));
            return new TestRunResult(opts.get(JAVA_INT, BpfTestRunOptsLayout.RETVAL), out, durationNs, ctxOut);
        } finally {
            exit();
        }
    }

    private static String testRunHint(int errno, TestRun run) {
        return switch (errno) {
            case Errno.ENOSPC -> "the output packet is larger than dataOutCapacity=" + run.dataOutCapacity();
            case Errno.EINVAL -> "the kernel refused the input (data length=" + run.data().length
                    + "; an XDP frame needs 14 bytes up to about a page, and an xdp_md context may set only"
                    + " ingress_ifindex and rx_queue_index)";
            case Errno.ENOTSUPP, Errno.EOPNOTSUPP -> "this program type cannot be test-run";
            default -> null;
        };
    }

    /** Closes an owned program's fd, once; does nothing for a program borrowed from a {@link BpfObject}. */
    @Override
    public void close() {
        if (ownedFd != null) {
            lifetime.close(ownedFd::close);
        }
    }

    /** Whether the program can still be used (a borrowed one: whether its object is open). */
    public boolean isOpen() {
        return owner != null ? owner.isOpen() : lifetime.isOpen();
    }

    @Override
    public String toString() {
        return "BpfProgram[" + name + (owner != null ? " of " + owner.name() : "") + "]";
    }

    // ---- for BpfObject -------------------------------------------------------------------------

    MemorySegment handle() {
        return handle;
    }

    /** Called by {@link BpfObject#load()} with what libbpf returned for this program. */
    void loaded(int programFd) {
        if (programFd < 0) {
            return; // not loaded (autoload off): fd() keeps saying so
        }
        id = ProgInfo.read(programFd, "program '" + name + "'").id();
        fd = programFd;
    }

    private void enter() {
        if (owner == null) {
            lifetime.enter();
        } else {
            owner.enter();
        }
    }

    private void exit() {
        if (owner == null) {
            lifetime.exit();
        } else {
            owner.exit();
        }
    }

    /** Call between enter() and exit(). */
    private int loadedFd() {
        int f = fd;
        if (f < 0) {
            throw new IllegalStateException(owner.loaded()
                    ? "program '" + name + "' was not loaded with BPF object '" + owner.name() + "'"
                    : "BPF object '" + owner.name() + "' is not loaded: call load() first");
        }
        return f;
    }
}
