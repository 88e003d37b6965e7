package io.splitplane.dataplane.port;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.splitplane.dataplane.graph.PacketVector;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One side of a {@link MemoryPortPair}: what it sends arrives on the other side's receive ring.
 * A graph uses it like any {@link Port}; a test or benchmark drives the other side directly with
 * the same methods, plus the conveniences {@link #send(byte[])} and {@link #read(long, int)}.
 *
 * <p>Each side has its own free-frame pool (capacity: every frame of the memory, since frames
 * migrate: a frame sent by A is freed by B). Each side is driven by one thread; the two sides may
 * be driven by two threads. Back-pressure: a full receive ring on the other side makes
 * {@link #tx} free the frames that do not fit and count them ({@link PortCounters#TX_DROPPED}).
 */
public final class MemoryPort implements Port {
    private final String name;
    private final PacketMemory memory;
    private final FramePool pool;
    private final SpscFrameRing rxRing;
    private final PortCounters counters = new PortCounters();
    private final Runnable onClose;
    private SpscFrameRing txRing;
    private MemoryPort peer;

    MemoryPort(String name, PacketMemory memory, int ringSize, Runnable onClose) {
        this.name = Objects.requireNonNull(name, "name");
        this.memory = memory;
        this.pool = new FramePool(memory);
        this.rxRing = new SpscFrameRing(ringSize);
        this.onClose = onClose;
    }

    void connect(MemoryPort other) {
        this.peer = other;
        this.txRing = other.rxRing;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PacketMemory memory() {
        return memory;
    }

    /** The other side. */
    public MemoryPort peer() {
        return peer;
    }

    /** This side's free frames (the driving thread, or any thread when both sides are quiet). */
    public FramePool pool() {
        return pool;
    }

    @Override
    public int service() {
        return 0;
    }

    @Override
    public int rx(final PacketVector v, final int max, final int portIndex) {
        final int at = v.count();
        final int k = rxRing.poll(v.addr, v.len, at, Math.min(max, v.room()));
        if (k == 0) {
            return 0;
        }
        long bytes = 0;
        final int[] port = v.port;
        final int[] len = v.len;
        for (int i = at; i < at + k; i++) {
            port[i] = portIndex;
            bytes += len[i];
        }
        v.clearMeta(at, k);
        v.count(at + k);
        counters.add(PortCounters.RX_PACKETS, k);
        counters.add(PortCounters.RX_BYTES, bytes);
        return k;
    }

    @Override
    public int tx(final long[] addr, final int[] len, final int off, final int n) {
        final int k = txRing.offer(addr, len, off, n);
        if (k > 0) {
            long bytes = 0;
            for (int i = off; i < off + k; i++) {
                bytes += len[i];
            }
            counters.add(PortCounters.TX_PACKETS, k);
            counters.add(PortCounters.TX_BYTES, bytes);
        }
        if (k < n) {
            pool.free(addr, off + k, n - k);
            counters.add(PortCounters.TX_DROPPED, n - k);
        }
        return k;
    }

    @Override
    public void free(final long addr) {
        pool.free(addr);
    }

    @Override
    public void free(final long[] addr, final int off, final int n) {
        pool.free(addr, off, n);
    }

    @Override
    public long allocate() {
        return pool.allocate();
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** Frames waiting on this side's receive ring (a snapshot). */
    public int rxPending() {
        return rxRing.size();
    }

    /** Receive ring capacity. */
    public int ringSize() {
        return rxRing.capacity();
    }

    // ---- conveniences for tests (allocate, not for hot loops) --------------------------------------------

    /**
     * Sends {@code data} as one packet in a fresh frame (at the memory's data offset).
     *
     * @return 1 if queued, 0 if the peer's ring was full (frame freed, counted), -1 if no free frame
     */
    public int send(byte[] data) {
        if (data.length > memory.chunkSize() - memory.dataOffset()) {
            throw new IllegalArgumentException("packet length=" + data.length + " does not fit a frame (chunkSize="
                    + memory.chunkSize() + ", dataOffset=" + memory.dataOffset() + ")");
        }
        final long base = pool.allocate();
        if (base < 0) {
            return -1;
        }
        final long addr = base + memory.dataOffset();
        MemorySegment.copy(data, 0, memory.segment(), JAVA_BYTE, addr, data.length);
        return tx(new long[] {addr}, new int[] {data.length}, 0, 1);
    }

    /** The bytes of a packet. */
    public byte[] read(long addr, int len) {
        byte[] out = new byte[len];
        MemorySegment.copy(memory.segment(), JAVA_BYTE, addr, out, 0, len);
        return out;
    }

    /** Closes the whole pair (both sides share its memory). */
    @Override
    public void close() {
        onClose.run();
    }

    @Override
    public String toString() {
        return "MemoryPort[" + name + ", " + pool + ", rxPending=" + rxRing.size() + "]";
    }
}
