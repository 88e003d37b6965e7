package io.splitplane.kernel.xdp;

import java.util.Objects;

/**
 * A LIFO pool of free UMEM frame addresses in a {@code long[]}: the simplest frame allocator for a
 * single worker (LIFO keeps recently used, cache-warm chunks in play). Allocation-free; empty and
 * full are return values. Single-threaded.
 */
public final class FrameStack {
    /** {@link #pop()} when empty. */
    public static final long EMPTY = -1L;

    private final long[] addrs;
    private int top;

    /** An empty stack for up to {@code capacity} addresses. */
    public FrameStack(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be at least 1");
        }
        this.addrs = new long[capacity];
    }

    /** A full stack holding chunks {@code first .. first+count-1} of {@code umem}. */
    public static FrameStack of(Umem umem, int first, int count) {
        Objects.checkFromIndexSize(first, count, umem.frameCount());
        FrameStack s = new FrameStack(Math.max(1, count));
        for (int i = count - 1; i >= 0; i--) {
            s.push(umem.frameAddress(first + i));
        }
        return s;
    }

    /** A full stack holding every chunk of {@code umem}. */
    public static FrameStack of(Umem umem) {
        return of(umem, 0, umem.frameCount());
    }

    /** Pushes {@code addr}; false if the stack is full. */
    public boolean push(final long addr) {
        if (top == addrs.length) {
            return false;
        }
        addrs[top++] = addr;
        return true;
    }

    /** Pops an address, or {@link #EMPTY}. */
    public long pop() {
        return top == 0 ? EMPTY : addrs[--top];
    }

    /** Pops up to {@code n} addresses into {@code dst[offset..]}; returns how many. */
    public int pop(final long[] dst, final int offset, final int n) {
        Objects.checkFromIndexSize(offset, n, dst.length);
        final int got = Math.min(n, top);
        final int from = top - got;
        System.arraycopy(addrs, from, dst, offset, got);
        top = from;
        return got;
    }

    /** Pushes {@code n} addresses from {@code src[offset..]}; returns how many fitted. */
    public int push(final long[] src, final int offset, final int n) {
        Objects.checkFromIndexSize(offset, n, src.length);
        final int got = Math.min(n, addrs.length - top);
        System.arraycopy(src, offset, addrs, top, got);
        top += got;
        return got;
    }

    public int size() {
        return top;
    }

    public int capacity() {
        return addrs.length;
    }
}
