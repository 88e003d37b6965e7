package io.splitplane.kernel.xdp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * What both sides of an mmapped AF_XDP ring share: where its parts are, its size, and the current
 * batch's slots. The memory order of the indices is the sides' business ({@link ProducerRing},
 * {@link ConsumerRing}).
 */
abstract sealed class XdpRing permits ProducerRing, ConsumerRing {
    /** u32 ring index access: coordinates (MemorySegment, long offset). */
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    final String name;
    final MemorySegment ring;
    final XdpRingLayout layout;
    final long producerOffset;
    final long consumerOffset;
    final long flagsOffset;
    final long descOffset;
    final int size;
    final int mask;
    final int entryShift;

    /** First free-running index and size of the last batch (reserve or peek). */
    int batchStart;
    int batchCount;

    XdpRing(String name, MemorySegment ring, XdpRingLayout layout, int entrySize) {
        this.name = name;
        if (layout.entrySize() != entrySize) {
            throw new IllegalArgumentException(name + " ring entrySize=" + layout.entrySize()
                    + ", expected " + entrySize);
        }
        if (ring.byteSize() < layout.mmapLength()) {
            throw new IllegalArgumentException(name + " ring segment size=" + ring.byteSize()
                    + " is smaller than mmapLength=" + layout.mmapLength());
        }
        this.ring = ring;
        this.layout = layout;
        this.producerOffset = layout.producerOffset();
        this.consumerOffset = layout.consumerOffset();
        this.flagsOffset = layout.flagsOffset();
        this.descOffset = layout.descOffset();
        this.size = layout.entries();
        this.mask = size - 1;
        this.entryShift = Integer.numberOfTrailingZeros(entrySize);
    }

    /** Number of entries ({@code setsockopt} size). */
    public final int size() {
        return size;
    }

    /** Where the parts of this ring are. */
    public final XdpRingLayout layout() {
        return layout;
    }

    /** Size of the last batch. */
    public final int batchSize() {
        return batchCount;
    }

    /** Byte offset in the ring of batch slot {@code i}. */
    final long slotOffset(final int i) {
        Objects.checkIndex(i, batchCount);
        return descOffset + ((long) ((batchStart + i) & mask) << entryShift);
    }
}
