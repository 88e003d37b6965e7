package io.splitplane.dataplane.port;

import io.splitplane.kernel.xdp.FrameLedger;
import io.splitplane.kernel.xdp.Umem;
import java.util.Objects;

/**
 * Debug accounting of where every frame of an AF_XDP port is: the kernel's {@link FrameLedger}
 * (user space / FILL+RX / TX+COMPLETION) with user space split further into the port's free pool
 * and the graph. Every move is checked against the frame's current place, so a frame lost,
 * duplicated, freed twice, or sent while free fails at once with an {@link IllegalStateException}
 * naming the frame and both places.
 *
 * <pre>
 *          poolToFill               rxToGraph
 *   POOL ------------> FILL/RX ------------------> GRAPH ---graphToTx---> TX/COMPLETION
 *    ^  \                                           |  ^                        |
 *    |   `------------- poolToGraph (allocate) -----|--'                        |
 *    |------------------ graphToPool (drop, tx full)'                           |
 *    `------------------------------------------ completionToPool -------------'
 * </pre>
 *
 * Single-threaded, like the port; allocation-free. Costs a few array accesses per frame move,
 * which is why it is a debug switch ({@link AfXdpPortConfig#frameAccounting()}).
 */
public final class FrameAccounting {
    private final FrameLedger ledger;
    private final PacketMemory memory;
    private final boolean[] inPool;
    private int pooled;

    public FrameAccounting(Umem umem, PacketMemory memory) {
        this.ledger = new FrameLedger(Objects.requireNonNull(umem, "umem"));
        this.memory = Objects.requireNonNull(memory, "memory");
        this.inPool = new boolean[memory.frameCount()];
    }

    /** A frame enters the pool at setup (it is {@code USER} in the ledger). */
    void initialPool(final long addr) {
        toPool(addr, "initialPool");
    }

    void poolToFill(final long addr) {
        fromPool(addr, "poolToFill");
        ledger.toFill(addr);
    }

    void rxToGraph(final long addr) {
        ledger.fromRx(addr);
    }

    void graphToTx(final long addr) {
        notInPool(addr, "graphToTx");
        ledger.toTx(addr);
    }

    void completionToPool(final long addr) {
        ledger.fromCompletion(addr);
        toPool(addr, "completionToPool");
    }

    void graphToPool(final long addr) {
        final byte s = ledger.stateOf(addr);
        if (s != FrameLedger.USER) {
            throw new IllegalStateException("graphToPool: frame addr=" + addr + " is " + FrameLedger.name(s)
                    + ", expected in the graph");
        }
        toPool(addr, "graphToPool");
    }

    void poolToGraph(final long addr) {
        fromPool(addr, "poolToGraph");
    }

    private void toPool(final long addr, final String what) {
        final int i = index(addr, what);
        if (inPool[i]) {
            throw new IllegalStateException(what + ": frame addr=" + addr + " (chunk " + i + ") is already in the pool");
        }
        inPool[i] = true;
        pooled++;
    }

    private void fromPool(final long addr, final String what) {
        final int i = index(addr, what);
        if (!inPool[i]) {
            throw new IllegalStateException(what + ": frame addr=" + addr + " (chunk " + i + ") is not in the pool");
        }
        inPool[i] = false;
        pooled--;
    }

    private void notInPool(final long addr, final String what) {
        final int i = index(addr, what);
        if (inPool[i]) {
            throw new IllegalStateException(what + ": frame addr=" + addr + " (chunk " + i + ") is in the free pool");
        }
    }

    private int index(final long addr, final String what) {
        final int i = memory.frameIndex(addr);
        if (i < 0) {
            throw new IllegalStateException(what + ": addr=" + addr + " is outside the packet memory");
        }
        return i;
    }

    /** Frames in the free pool. */
    public int pool() {
        return pooled;
    }

    /** Frames held by the graph (user space, not in the pool). */
    public int graph() {
        return ledger.count(FrameLedger.USER) - pooled;
    }

    /** Frames on the FILL ring, in the kernel for receive, or on the RX ring. */
    public int kernelRx() {
        return ledger.count(FrameLedger.KERNEL_RX);
    }

    /** Frames on the TX ring, being sent, or on the COMPLETION ring. */
    public int kernelTx() {
        return ledger.count(FrameLedger.KERNEL_TX);
    }

    public int frames() {
        return ledger.frames();
    }

    @Override
    public String toString() {
        return "FrameAccounting[pool=" + pool() + ", graph=" + graph() + ", kernelRx=" + kernelRx() + ", kernelTx="
                + kernelTx() + "]";
    }
}
