package io.splitplane.dataplane.port;

import io.splitplane.kernel.xdp.FrameStack;
import java.util.Objects;

/**
 * Free frames of a {@link PacketMemory}: a LIFO stack of frame base addresses (recently freed,
 * cache-warm frames are reused first). Single-threaded and allocation-free; empty is a return
 * value. Its capacity is the memory's frame count, so a pool overflowing means a frame was freed
 * twice: that is a bug and throws.
 */
public final class FramePool {
    private final PacketMemory memory;
    private final FrameStack stack;

    /** An empty pool for frames of {@code memory}. */
    public FramePool(PacketMemory memory) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.stack = new FrameStack(memory.frameCount());
    }

    /** Adds frames {@code first..first+count-1} of the memory. */
    public FramePool addFrames(int first, int count) {
        Objects.checkFromIndexSize(first, count, memory.frameCount());
        for (int i = first + count - 1; i >= first; i--) {
            free(memory.frameAddress(i));
        }
        return this;
    }

    public PacketMemory memory() {
        return memory;
    }

    /** A frame base address, or -1 when empty. */
    public long allocate() {
        return stack.pop();
    }

    /** Up to {@code n} frame base addresses into {@code dst[off..]}; returns how many. */
    public int allocate(final long[] dst, final int off, final int n) {
        return stack.pop(dst, off, n);
    }

    /** Takes back the frame holding {@code addr}. */
    public void free(final long addr) {
        if (!stack.push(memory.chunkBase(addr))) {
            throw overflow(addr);
        }
    }

    /** Takes back the frames holding {@code addr[off..off+n-1]}. */
    public void free(final long[] addr, final int off, final int n) {
        for (int i = 0; i < n; i++) {
            free(addr[off + i]);
        }
    }

    /** Free frames. */
    public int available() {
        return stack.size();
    }

    public int capacity() {
        return stack.capacity();
    }

    private IllegalStateException overflow(long addr) {
        return new IllegalStateException("frame pool is full (capacity=" + stack.capacity() + ") freeing addr=" + addr
                + ": a frame was freed twice");
    }

    @Override
    public String toString() {
        return "FramePool[free=" + stack.size() + "/" + stack.capacity() + "]";
    }
}
