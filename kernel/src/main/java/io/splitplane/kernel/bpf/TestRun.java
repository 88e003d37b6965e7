package io.splitplane.kernel.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The input of one BPF_PROG_TEST_RUN: the kernel runs the program {@code repeat} times on a copy of
 * {@code data} (for XDP, an Ethernet frame of at least 14 bytes) without any interface involved.
 *
 * @param data            the packet
 * @param repeat          how many times to run (the duration is averaged over them), at least 1
 * @param dataOutCapacity bytes to receive the packet as the program left it (0: don't return it);
 *                        a program that grows the packet beyond this fails the run with ENOSPC
 * @param context         the program's context input (for XDP a {@code struct xdp_md}, see
 *                        {@link #xdpContext}), or null for none; the output context has the same size
 */
public record TestRun(byte[] data, int repeat, int dataOutCapacity, byte[] context) {
    /** Room left for programs that grow the packet (bpf_xdp_adjust_tail, encapsulation). */
    public static final int DEFAULT_GROWTH = 256;

    public TestRun {
        Objects.requireNonNull(data, "data");
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1, repeat=" + repeat);
        }
        if (dataOutCapacity < 0) {
            throw new IllegalArgumentException("dataOutCapacity must not be negative, dataOutCapacity=" + dataOutCapacity);
        }
        data = data.clone();
        context = context == null ? null : context.clone();
    }

    public TestRun(byte[] data, int repeat, int dataOutCapacity) {
        this(data, repeat, dataOutCapacity, null);
    }

    /** One run that returns the output packet. */
    public static TestRun of(byte[] data) {
        return new TestRun(data, 1, data.length + DEFAULT_GROWTH, null);
    }

    /** {@code repeat} runs that return the output packet. */
    public static TestRun repeated(byte[] data, int repeat) {
        return new TestRun(data, repeat, data.length + DEFAULT_GROWTH, null);
    }

    /** This run with {@code context} as the program's context input. */
    public TestRun withContext(byte[] context) {
        return new TestRun(data, repeat, dataOutCapacity, Objects.requireNonNull(context, "context"));
    }

    /**
     * An XDP context saying the frame arrived on {@code ingressIfindex} (in the calling thread's
     * network namespace; 0 = none), receive queue {@code rxQueueIndex} (must be 0 without an
     * interface, and below the interface's queue count with one).
     */
    public static byte[] xdpContext(int ingressIfindex, int rxQueueIndex) {
        if (ingressIfindex < 0 || rxQueueIndex < 0) {
            throw new IllegalArgumentException("ingressIfindex=" + ingressIfindex + ", rxQueueIndex=" + rxQueueIndex
                    + " must not be negative");
        }
        byte[] md = new byte[(int) XdpMdLayout.SIZE];
        ByteBuffer b = ByteBuffer.wrap(md).order(ByteOrder.nativeOrder());
        b.putInt((int) XdpMdLayout.INGRESS_IFINDEX, ingressIfindex);
        b.putInt((int) XdpMdLayout.RX_QUEUE_INDEX, rxQueueIndex);
        return md;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public byte[] context() {
        return context == null ? null : context.clone();
    }
}
