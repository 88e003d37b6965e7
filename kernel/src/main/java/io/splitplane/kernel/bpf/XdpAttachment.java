package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An XDP program attached to an interface, and the way to detach exactly that program again.
 *
 * <p>An ifindex means something only inside one network namespace, so the attachment remembers the
 * namespace it was made in and detaches there, from whatever thread closes it. It holds its own
 * reference to the program: closing the {@link BpfObject} leaves the program attached and this
 * attachment able to detach it. {@link #detach()} asks the kernel to remove the program only if it is
 * still ours (XDP_FLAGS_REPLACE with the expected program), so it never removes a program someone
 * attached later.
 */
public final class XdpAttachment implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(XdpAttachment.class.getName());
    /** linux/if_link.h */
    private static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;

    private final int ifindex;
    private final XdpMode mode;
    private final String programName;
    private final int programId;
    private final FileDescriptor program;
    private final NetNamespace namespace;
    private boolean detached; // guarded by this

    private XdpAttachment(int ifindex, XdpMode mode, String programName, int programId, FileDescriptor program,
                          NetNamespace namespace) {
        this.ifindex = ifindex;
        this.mode = mode;
        this.programName = programName;
        this.programId = programId;
        this.program = program;
        this.namespace = namespace;
    }

    /** Called by {@link BpfProgram#attachXdp} while its object is held open. */
    static XdpAttachment attach(String programName, int programId, int ifindex, XdpMode requested) {
        // Our own reference, so that the attachment does not depend on the object's fd staying open.
        int own = Libbpf.progGetFdById(programId);
        if (own < 0) {
            throw new BpfException("bpf_prog_get_fd_by_id(" + programId + ")", -own, "program '" + programName + "'", null);
        }
        FileDescriptor program = new FileDescriptor(own, "XDP program '" + programName + "' (id " + programId + ")");
        NetNamespace namespace = null;
        try {
            namespace = NetNamespace.current();
            XdpMode took = attachHere(programName, program.get(), ifindex, requested);
            LOG.log(Level.DEBUG, () -> "attached XDP program '" + programName + "' (id " + programId + ") to ifindex "
                    + ifindex + " in " + took + " mode");
            return new XdpAttachment(ifindex, took, programName, programId, program, namespace);
        } catch (RuntimeException | Error e) {
            program.close();
            if (namespace != null) {
                namespace.close();
            }
            throw e;
        }
    }

    private static XdpMode attachHere(String programName, int programFd, int ifindex, XdpMode requested) {
        if (requested != XdpMode.NATIVE_OR_GENERIC) {
            Attempt attempt = Attempt.run(programFd, ifindex, requested);
            if (attempt.errno != 0) {
                throw attempt.failure(programName, ifindex, null);
            }
            return requested;
        }
        Attempt nativeAttempt = Attempt.run(programFd, ifindex, XdpMode.NATIVE);
        if (nativeAttempt.errno == 0) {
            return XdpMode.NATIVE;
        }
        // Falling back helps only when the driver is the problem; an occupied slot or a missing
        // interface would fail the same way in generic mode, or worse, succeed next to another program.
        if (nativeAttempt.errno == Errno.EBUSY || nativeAttempt.errno == Errno.EEXIST
                || nativeAttempt.errno == Errno.ENODEV) {
            throw nativeAttempt.failure(programName, ifindex, null);
        }
        LOG.log(Level.INFO, () -> "native XDP failed on ifindex " + ifindex + " (" + BpfException.errnoName(nativeAttempt.errno)
                + "); attaching program '" + programName + "' in generic mode");
        Attempt genericAttempt = Attempt.run(programFd, ifindex, XdpMode.GENERIC);
        if (genericAttempt.errno != 0) {
            throw genericAttempt.failure(programName, ifindex,
                    "native mode failed before with " + BpfException.errnoName(nativeAttempt.errno));
        }
        return XdpMode.GENERIC;
    }

    /** One bpf_xdp_attach call and what libbpf printed during it. */
    private record Attempt(XdpMode mode, int errno, String log) {
        static Attempt run(int programFd, int ifindex, XdpMode mode) {
            try (LibbpfLog.Capture capture = LibbpfLog.capture()) {
                int r = Libbpf.xdpAttach(ifindex, programFd, XDP_FLAGS_UPDATE_IF_NOEXIST | mode.flag(), MemorySegment.NULL);
                return new Attempt(mode, r < 0 ? -r : 0, capture.text());
            }
        }

        BpfException failure(String programName, int ifindex, String earlier) {
            String detail = switch (errno) {
                case Errno.EBUSY -> "another XDP program is already attached in " + mode + " mode";
                case Errno.EEXIST -> "a program is attached in the other mode; native and generic XDP cannot be"
                        + " active at the same time";
                case Errno.ENODEV -> "no interface with this index in the calling thread's network namespace";
                case Errno.EOPNOTSUPP -> "the driver cannot run XDP in native mode";
                default -> null;
            };
            if (earlier != null) {
                detail = detail == null ? earlier : detail + "; " + earlier;
            }
            return new BpfException("bpf_xdp_attach(program '" + programName + "', ifindex=" + ifindex + ", " + mode + ")",
                    errno, detail, log);
        }
    }

    /** The interface index, valid in the network namespace the attachment was made in. */
    public int ifindex() {
        return ifindex;
    }

    /** The mode that took: {@link XdpMode#NATIVE} or {@link XdpMode#GENERIC}. */
    public XdpMode mode() {
        return mode;
    }

    /** The kernel's id of the attached program. */
    public int programId() {
        return programId;
    }

    /** Whether our program is still the one attached in our mode (asks the kernel). */
    public synchronized boolean isAttached() {
        if (detached) {
            return false;
        }
        return inNamespace(() -> attachedId(ifindex, mode) == programId);
    }

    /**
     * The id of the program in the {@code mode} slot of {@code ifindex} (calling thread's namespace),
     * 0 if the slot is empty.
     */
    private static int attachedId(int ifindex, XdpMode mode) {
        try (Arena arena = Arena.ofConfined(); LibbpfLog.Capture capture = LibbpfLog.capture()) {
            MemorySegment opts = arena.allocate(BpfXdpQueryOptsLayout.LAYOUT);
            opts.set(JAVA_LONG, BpfXdpQueryOptsLayout.SZ, BpfXdpQueryOptsLayout.SIZE);
            int r = Libbpf.xdpQuery(ifindex, 0, opts);
            if (r < 0) {
                throw new BpfException("bpf_xdp_query(ifindex=" + ifindex + ")", -r,
                        -r == Errno.ENODEV ? "no interface with this index in the calling thread's network namespace"
                                : null, capture.text());
            }
            long slot = mode == XdpMode.NATIVE ? BpfXdpQueryOptsLayout.DRV_PROG_ID : BpfXdpQueryOptsLayout.SKB_PROG_ID;
            // A single program is reported in prog_id only; attach_mode says which slot it is in.
            int attachMode = opts.get(JAVA_BYTE, BpfXdpQueryOptsLayout.ATTACH_MODE);
            int id = opts.get(JAVA_INT, slot);
            if (id == 0 && attachMode == (mode == XdpMode.NATIVE ? 1 : 2)) {
                id = opts.get(JAVA_INT, BpfXdpQueryOptsLayout.PROG_ID);
            }
            return id;
        }
    }

    /**
     * The attachment of {@code program} to {@code ifindex} in the calling thread's network namespace,
     * if the program is attached there (native or generic), else empty. This is how a process that
     * did not attach a program, but reopened it (e.g. from a {@linkplain BpfProgram#openPinned pin}),
     * gets an attachment that {@link #detach()}es exactly that program. The returned attachment
     * holds its own reference to the program.
     */
    public static Optional<XdpAttachment> find(BpfProgram program, int ifindex) {
        Objects.requireNonNull(program, "program");
        NetworkInterfaces.requireValidIndex(ifindex);
        int programId = program.id();
        String programName = program.name();
        XdpMode mode;
        if (attachedId(ifindex, XdpMode.NATIVE) == programId) {
            mode = XdpMode.NATIVE;
        } else if (attachedId(ifindex, XdpMode.GENERIC) == programId) {
            mode = XdpMode.GENERIC;
        } else {
            return Optional.empty();
        }
        int own = Libbpf.progGetFdById(programId);
        if (own < 0) {
            throw new BpfException("bpf_prog_get_fd_by_id(" + programId + ")", -own, "program '" + programName + "'", null);
        }
        FileDescriptor fd = new FileDescriptor(own, "XDP program '" + programName + "' (id " + programId + ")");
        try {
            return Optional.of(new XdpAttachment(ifindex, mode, programName, programId, fd, NetNamespace.current()));
        } catch (RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Lets go of the attachment without detaching: closes this object's references (program fd,
     * namespace), and the program stays attached until someone detaches it, e.g. a later process
     * through {@link #find}. Afterwards {@link #detach()} does nothing. Idempotent.
     */
    public synchronized void release() {
        if (detached) {
            return;
        }
        detached = true;
        program.close();
        namespace.close();
    }

    /**
     * Removes our program from the interface if it is still the one attached; does nothing if the
     * interface is gone or holds another program by now. Idempotent.
     */
    public synchronized void detach() {
        if (detached) {
            return;
        }
        int errno = inNamespace(() -> {
            try (Arena arena = Arena.ofConfined(); LibbpfLog.Capture capture = LibbpfLog.capture()) {
                MemorySegment opts = arena.allocate(BpfXdpAttachOptsLayout.LAYOUT);
                opts.set(JAVA_LONG, BpfXdpAttachOptsLayout.SZ, BpfXdpAttachOptsLayout.SIZE);
                opts.set(JAVA_INT, BpfXdpAttachOptsLayout.OLD_PROG_FD, program.get());
                int r = Libbpf.xdpDetach(ifindex, mode.flag(), opts);
                if (r < 0 && -r != Errno.EEXIST && -r != Errno.ENODEV) {
                    throw new BpfException("bpf_xdp_detach(program '" + programName + "', ifindex=" + ifindex + ", "
                            + mode + ")", -r, null, capture.text());
                }
                return -Math.min(r, 0);
            }
        });
        if (errno != 0) {
            // EEXIST: the slot holds another program (or none); ENODEV: the interface is gone.
            LOG.log(Level.DEBUG, () -> "XDP program '" + programName + "' was no longer attached to ifindex " + ifindex
                    + " (" + BpfException.errnoName(errno) + "); left the interface as it is");
        }
        detached = true;
        program.close();
        namespace.close();
    }

    /** {@link #detach()}. */
    @Override
    public void close() {
        detach();
    }

    private <T> T inNamespace(Supplier<T> task) {
        long here;
        try (NetNamespace current = NetNamespace.current()) {
            here = current.inode();
        }
        return here == namespace.inode() ? task.get() : namespace.call(task::get);
    }

    @Override
    public String toString() {
        return "XdpAttachment[program '" + programName + "' (id " + programId + ") on ifindex " + ifindex + ", " + mode
                + (detached ? ", detached" : "") + "]";
    }
}
