package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The kernel's side of one ring over plain memory, written after {@code net/xdp/xsk_queue.h}: it
 * consumes FILL/TX (acquire producer, read, release consumer) and produces RX/COMPLETION (acquire
 * consumer for room, write, release producer). Lets the ring classes run without a kernel.
 */
final class KernelPeer {
    private static final VarHandle INT = JAVA_INT.varHandle();

    final MemorySegment ring;
    final XdpRingLayout layout;
    private int prod;
    private int cons;

    KernelPeer(MemorySegment ring, XdpRingLayout layout) {
        this.ring = ring;
        this.layout = layout;
        this.prod = (int) INT.getAcquire(ring, layout.producerOffset());
        this.cons = (int) INT.getAcquire(ring, layout.consumerOffset());
    }

    /** A zeroed ring of {@code entries} with both indices at {@code start}. */
    static MemorySegment ring(Arena arena, XdpRingLayout layout, int start) {
        MemorySegment s = arena.allocate(layout.mmapLength(), 64);
        s.set(JAVA_INT, layout.producerOffset(), start);
        s.set(JAVA_INT, layout.consumerOffset(), start);
        return s;
    }

    private long slot(int index) {
        return layout.descOffset() + (long) (index & (layout.entries() - 1)) * layout.entrySize();
    }

    /** Consumes up to {@code max} entries (FILL/TX side); {@code lens} may be null for u64 rings. */
    int consume(long[] addrs, int[] lens, int max) {
        int p = (int) INT.getAcquire(ring, layout.producerOffset());
        int n = Math.min(max, p - cons);
        for (int i = 0; i < n; i++) {
            long at = slot(cons + i);
            addrs[i] = ring.get(JAVA_LONG, at);
            if (lens != null) {
                lens[i] = ring.get(JAVA_INT, at + XdpDescLayout.LEN_OFFSET);
            }
        }
        cons += n;
        INT.setRelease(ring, layout.consumerOffset(), cons);
        return n;
    }

    /** Produces up to {@code n} entries (RX/COMPLETION side); returns how many fitted. */
    int produce(long[] addrs, int[] lens, int n) {
        int c = (int) INT.getAcquire(ring, layout.consumerOffset());
        int free = layout.entries() - (prod - c);
        int k = Math.min(n, free);
        for (int i = 0; i < k; i++) {
            long at = slot(prod + i);
            ring.set(JAVA_LONG, at, addrs[i]);
            if (layout.entrySize() == XdpDescLayout.SIZE) {
                ring.set(JAVA_INT, at + XdpDescLayout.LEN_OFFSET, lens == null ? 0 : lens[i]);
                ring.set(JAVA_INT, at + XdpDescLayout.OPTIONS_OFFSET, 0);
            }
        }
        prod += k;
        INT.setRelease(ring, layout.producerOffset(), prod);
        return k;
    }

    void setFlags(int flags) {
        INT.setRelease(ring, layout.flagsOffset(), flags);
    }

    int producerWord() {
        return (int) INT.getAcquire(ring, layout.producerOffset());
    }

    int consumerWord() {
        return (int) INT.getAcquire(ring, layout.consumerOffset());
    }
}
