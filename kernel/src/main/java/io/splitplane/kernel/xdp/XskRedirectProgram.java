package io.splitplane.kernel.xdp;

import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.bpf.BpfObject;
import io.splitplane.kernel.bpf.BpfProgram;
import io.splitplane.kernel.bpf.XdpAction;
import io.splitplane.kernel.bpf.XdpAttachment;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.bpf.XskRedirect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The default steering program ({@code xsk_redirect}, see {@link XskRedirect}) loaded and attached
 * to one interface, with its XSKMAP typed: {@link #register} puts a socket on a receive queue,
 * {@link #unregister} takes it off. A frame on queue N goes to the socket registered for N; with no
 * socket there it goes on to the kernel stack.
 *
 * <p>Create it inside the network namespace of the interface (the ifindex is resolved there); close
 * may run on any thread (the attachment detaches in its own namespace). Close detaches and unloads
 * exactly once. Sockets registered in the map need not be unregistered before close: closing a
 * socket removes it from the map, and unloading drops the map.
 */
public final class XskRedirectProgram implements AutoCloseable {
    private final BpfObject object;
    private final BpfMap xsks;
    private final BpfMap verdicts;
    private final XdpAttachment attachment;
    private final AtomicBoolean closed = new AtomicBoolean();

    private XskRedirectProgram(BpfObject object, BpfMap xsks, BpfMap verdicts, XdpAttachment attachment) {
        this.object = object;
        this.xsks = xsks;
        this.verdicts = verdicts;
        this.attachment = attachment;
    }

    /** Loads the program and attaches it to {@code ifindex} in the calling thread's namespace. */
    public static XskRedirectProgram attach(int ifindex, XdpMode mode) {
        Objects.requireNonNull(mode, "mode");
        return load(program -> program.attachXdp(ifindex, mode));
    }

    /** {@link #attach(int, XdpMode)} by interface name, resolved in the calling thread's namespace. */
    public static XskRedirectProgram attach(String interfaceName, XdpMode mode) {
        Objects.requireNonNull(mode, "mode");
        return load(program -> program.attachXdp(interfaceName, mode));
    }

    private static XskRedirectProgram load(Function<BpfProgram, XdpAttachment> attach) {
        BpfObject object = XskRedirect.open();
        try {
            object.load();
            BpfMap xsks = object.map(XskRedirect.XSKS_MAP);
            BpfMap verdicts = object.map(XskRedirect.VERDICTS_MAP);
            // Attaching is the last step that can fail, so nothing attached is ever left behind.
            return new XskRedirectProgram(object, xsks, verdicts, attach.apply(object.program(XskRedirect.PROGRAM)));
        } catch (RuntimeException | Error e) {
            object.close();
            throw e;
        }
    }

    /** Steers receive queue {@code queue} into {@code socket} (replaces any socket there). */
    public void register(int queue, XskSocket socket) {
        checkQueue(queue);
        Objects.requireNonNull(socket, "socket");
        if (socket.queueId() != queue) {
            // The kernel drops frames redirected to a socket bound to another (device, queue): a caller bug.
            throw new IllegalArgumentException("socket is bound to queueId=" + socket.queueId() + ", not queue="
                    + queue);
        }
        if (socket.ifindex() != attachment.ifindex()) {
            throw new IllegalArgumentException("socket is bound to ifindex=" + socket.ifindex()
                    + ", the program is attached to ifindex=" + attachment.ifindex());
        }
        xsks.update(u32(queue), u32(socket.fd()), BpfMap.ANY);
    }

    /**
     * Stops steering {@code queue}: its frames go to the kernel stack again. Idempotent (an XSKMAP
     * delete succeeds on an empty slot too, so it cannot tell whether a socket was there).
     */
    public void unregister(int queue) {
        checkQueue(queue);
        xsks.delete(u32(queue));
    }

    private void checkQueue(int queue) {
        if (queue < 0 || queue >= XskRedirect.MAX_QUEUES) {
            throw new IllegalArgumentException("queue=" + queue + " is outside 0.." + (XskRedirect.MAX_QUEUES - 1));
        }
    }

    /**
     * How many frames got {@code action} ({@link XdpAction}: PASS, REDIRECT, ...), summed over CPUs.
     * Frames redirected to an empty or closing slot fall back to PASS.
     */
    public long verdictCount(int action) {
        if (action < 0 || action >= XdpAction.COUNT) {
            throw new IllegalArgumentException("action=" + action + " is not an XDP action");
        }
        List<byte[]> perCpu = verdicts.lookupPerCpu(u32(action)).orElse(List.of());
        long sum = 0;
        for (byte[] v : perCpu) {
            sum += ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong();
        }
        return sum;
    }

    /** The mode that took (native or generic). */
    public XdpMode mode() {
        return attachment.mode();
    }

    /** The interface the program is attached to. */
    public int ifindex() {
        return attachment.ifindex();
    }

    /** The XSKMAP ({@code xsks_map}). */
    public BpfMap xsksMap() {
        return xsks;
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    /** Detaches the program and unloads it, once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            attachment.close();
        } finally {
            object.close();
        }
    }

    @Override
    public String toString() {
        return "XskRedirectProgram[" + attachment + (closed.get() ? ", closed" : "") + "]";
    }
}
