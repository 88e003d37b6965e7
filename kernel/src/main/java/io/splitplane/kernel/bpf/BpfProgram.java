package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.sys.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One program of a {@link BpfObject}. It is the object's: usable while the object is open, and its
 * fd is valid only that long. What must outlive the object holds its own reference
 * ({@link XdpAttachment}, a {@linkplain #pin pin}).
 */
public final class BpfProgram {
    /** BPF_PROG_TYPE_XDP (linux/bpf.h). */
    public static final int TYPE_XDP = 6;

    private final BpfObject owner;
    private final MemorySegment handle;
    private final String name;
    // Set once by load(), under the owner's lock; read by any thread after.
    private volatile int fd = -1;
    private volatile int id;

    BpfProgram(BpfObject owner, MemorySegment handle, String name) {
        this.owner = owner;
        this.handle = handle;
        this.name = name;
    }

    /** The program's function name. */
    public String name() {
        return name;
    }

    /** The program's fd, owned by the object: valid until the object is closed. */
    public int fd() {
        owner.enter();
        try {
            return loadedFd();
        } finally {
            owner.exit();
        }
    }

    /** The kernel's id for the loaded program (as {@code bpftool prog show} lists it). */
    public int id() {
        owner.enter();
        try {
            loadedFd();
            return id;
        } finally {
            owner.exit();
        }
    }

    /** BPF_PROG_TYPE_* as libbpf derived it from the ELF section, e.g. {@link #TYPE_XDP}. */
    public int type() {
        owner.enter();
        try {
            return Libbpf.programType(handle);
        } finally {
            owner.exit();
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
        owner.enter();
        try {
            loadedFd();
            int type = Libbpf.programType(handle);
            if (type != TYPE_XDP) {
                throw new IllegalStateException("program '" + name + "' is not an XDP program (BPF_PROG_TYPE "
                        + type + "); it cannot be attached to an interface");
            }
            return XdpAttachment.attach(name, id, ifindex, mode);
        } finally {
            owner.exit();
        }
    }

    /** {@link #attachXdp(int, XdpMode)} to the interface of that name in the calling thread's namespace. */
    public XdpAttachment attachXdp(String interfaceName, XdpMode mode) {
        NetworkInterfaces.requireValidName(interfaceName);
        Objects.requireNonNull(mode, "mode");
        return attachXdp(NetworkInterfaces.indexOf(interfaceName), mode);
    }

    /** Pins the program at {@code path} on a bpffs, so it outlives this object. */
    public void pin(Path path) {
        owner.enter();
        try {
            BpfFs.pin(loadedFd(), path, "program '" + name + "'");
        } finally {
            owner.exit();
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
        owner.enter();
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
            owner.exit();
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

    @Override
    public String toString() {
        return "BpfProgram[" + name + "]";
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

    /** Call between owner.enter() and owner.exit(). */
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
