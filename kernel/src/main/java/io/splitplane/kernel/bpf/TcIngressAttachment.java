package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@code BPF_PROG_TYPE_SCHED_CLS} program attached as a direct-action filter on the clsact
 * <em>ingress</em> hook of an interface (libbpf's {@code bpf_tc_hook_create} + {@code bpf_tc_attach},
 * i.e. {@code tc qdisc add dev X clsact; tc filter add dev X ingress bpf da ...}), and the way to
 * remove exactly that filter again.
 *
 * <p>The clsact qdisc is created if missing and left in place on detach (an empty clsact costs
 * nothing and another user may share it); it goes away with the device. Like {@link XdpAttachment},
 * the attachment remembers the network namespace it was made in and detaches there, from whatever
 * thread closes it: an ifindex means something only inside one namespace.
 */
public final class TcIngressAttachment implements AutoCloseable {
    private final int ifindex;
    private final int handle;
    private final int priority;
    private final int programId;
    private final NetNamespace namespace;
    private boolean detached; // guarded by this

    private TcIngressAttachment(int ifindex, int handle, int priority, int programId, NetNamespace namespace) {
        this.ifindex = ifindex;
        this.handle = handle;
        this.priority = priority;
        this.programId = programId;
        this.namespace = namespace;
    }

    /** Called by {@link BpfProgram#attachTcIngress} with the loaded program's fd. */
    static TcIngressAttachment attach(String programName, int programFd, int ifindex) {
        NetworkInterfaces.requireValidIndex(ifindex);
        try (Arena arena = Arena.ofConfined(); LibbpfLog.Capture capture = LibbpfLog.capture()) {
            MemorySegment hook = hook(arena, ifindex);
            int r = Libbpf.tcHookCreate(hook);
            // EEXIST: the clsact qdisc is already there (ours from before, or shared); attach to it.
            if (r < 0 && -r != Errno.EEXIST) {
                throw new BpfException("bpf_tc_hook_create(ifindex=" + ifindex + ", ingress)", -r,
                        -r == Errno.ENODEV ? "no interface with this index in the calling thread's network namespace"
                                : null, capture.text());
            }
            MemorySegment opts = arena.allocate(BpfTcOptsLayout.LAYOUT);
            opts.set(JAVA_LONG, BpfTcOptsLayout.SZ, BpfTcOptsLayout.SIZE);
            opts.set(JAVA_INT, BpfTcOptsLayout.PROG_FD, programFd);
            r = Libbpf.tcAttach(hook, opts);
            if (r < 0) {
                throw new BpfException("bpf_tc_attach(program '" + programName + "', ifindex=" + ifindex + ", ingress)",
                        -r, null, capture.text());
            }
            NetNamespace ns = NetNamespace.current();
            return new TcIngressAttachment(ifindex, opts.get(JAVA_INT, BpfTcOptsLayout.HANDLE),
                    opts.get(JAVA_INT, BpfTcOptsLayout.PRIORITY), opts.get(JAVA_INT, BpfTcOptsLayout.PROG_ID), ns);
        }
    }

    private static MemorySegment hook(Arena arena, int ifindex) {
        MemorySegment hook = arena.allocate(BpfTcHookLayout.LAYOUT);
        hook.set(JAVA_LONG, BpfTcHookLayout.SZ, BpfTcHookLayout.SIZE);
        hook.set(JAVA_INT, BpfTcHookLayout.IFINDEX, ifindex);
        hook.set(JAVA_INT, BpfTcHookLayout.ATTACH_POINT, BpfTcHookLayout.BPF_TC_INGRESS);
        return hook;
    }

    public int ifindex() {
        return ifindex;
    }

    /** The kernel's id of the attached program. */
    public int programId() {
        return programId;
    }

    /** tc filter handle and priority the kernel chose. */
    public int handle() {
        return handle;
    }

    public int priority() {
        return priority;
    }

    /**
     * Removes the filter (in the namespace it was attached in). A device that is already gone took
     * the filter with it: that is success. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (detached) {
            return;
        }
        detached = true;
        try {
            namespace.run(() -> {
                try (Arena arena = Arena.ofConfined(); LibbpfLog.Capture capture = LibbpfLog.capture()) {
                    MemorySegment opts = arena.allocate(BpfTcOptsLayout.LAYOUT);
                    opts.set(JAVA_LONG, BpfTcOptsLayout.SZ, BpfTcOptsLayout.SIZE);
                    opts.set(JAVA_INT, BpfTcOptsLayout.HANDLE, handle);
                    opts.set(JAVA_INT, BpfTcOptsLayout.PRIORITY, priority);
                    int r = Libbpf.tcDetach(hook(arena, ifindex), opts);
                    if (r < 0 && -r != Errno.ENODEV && -r != Errno.ENOENT && -r != Errno.EINVAL) {
                        throw new BpfException("bpf_tc_detach(ifindex=" + ifindex + ", handle=" + handle + ", priority="
                                + priority + ")", -r, null, capture.text());
                    }
                }
            });
        } finally {
            namespace.close();
        }
    }

    @Override
    public String toString() {
        return "TcIngressAttachment[ifindex=" + ifindex + ", program id " + programId + ", handle=" + handle
                + ", priority=" + priority + "]";
    }
}
