package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct xdp_mmap_offsets}, read with {@code getsockopt(SOL_XDP, XDP_MMAP_OFFSETS)}: one
 * {@code struct xdp_ring_offset} per ring.
 *
 * <pre>
 * struct xdp_ring_offset (32 B):         struct xdp_mmap_offsets (128 B):
 *  0  producer u64                         0  rx  (xdp_ring_offset)
 *  8  consumer u64                        32  tx
 * 16  desc     u64                        64  fr  (FILL)
 * 24  flags    u64                        96  cr  (COMPLETION)
 * 32                                     128
 *
 * v1 (kernels &lt;= 5.3): xdp_ring_offset_v1 has no flags (24 B), xdp_mmap_offsets_v1 is 96 B;
 * then flags = consumer + 4 (libxdp's rule).
 * </pre>
 */
public final class XdpMmapOffsetsLayout {
    public static final StructLayout RING_OFFSET_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("producer"),
            JAVA_LONG.withName("consumer"),
            JAVA_LONG.withName("desc"),
            JAVA_LONG.withName("flags")).withName("xdp_ring_offset");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            RING_OFFSET_LAYOUT.withName("rx"),
            RING_OFFSET_LAYOUT.withName("tx"),
            RING_OFFSET_LAYOUT.withName("fr"),
            RING_OFFSET_LAYOUT.withName("cr")).withName("xdp_mmap_offsets");

    public static final long PRODUCER_OFFSET = ringField("producer");
    public static final long CONSUMER_OFFSET = ringField("consumer");
    public static final long DESC_OFFSET = ringField("desc");
    public static final long FLAGS_OFFSET = ringField("flags");
    public static final long RING_OFFSET_SIZE = RING_OFFSET_LAYOUT.byteSize();
    public static final long RING_OFFSET_SIZE_V1 = 24;

    public static final long RX_OFFSET = ring("rx");
    public static final long TX_OFFSET = ring("tx");
    public static final long FILL_OFFSET = ring("fr");
    public static final long COMPLETION_OFFSET = ring("cr");
    public static final long SIZE = LAYOUT.byteSize();
    public static final long SIZE_V1 = 4 * RING_OFFSET_SIZE_V1;

    private XdpMmapOffsetsLayout() {
    }

    private static long ringField(String field) {
        return RING_OFFSET_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    private static long ring(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** Which ring of the four. */
    public enum Ring {
        RX(0), TX(1), FILL(2), COMPLETION(3);

        private final int position;

        Ring(int position) {
            this.position = position;
        }
    }

    /**
     * Decodes the offsets of one ring from what the kernel wrote ({@code written} bytes: {@link #SIZE}
     * for the current struct, {@link #SIZE_V1}..{@code SIZE-1} for the v1 struct).
     */
    public static XdpRingLayout decode(MemorySegment offsets, int written, Ring ring, int entrySize, int entries) {
        if (written >= SIZE) {
            long base = ring.position * RING_OFFSET_SIZE;
            return new XdpRingLayout(
                    offsets.get(JAVA_LONG, base + PRODUCER_OFFSET),
                    offsets.get(JAVA_LONG, base + CONSUMER_OFFSET),
                    offsets.get(JAVA_LONG, base + FLAGS_OFFSET),
                    offsets.get(JAVA_LONG, base + DESC_OFFSET),
                    entrySize, entries);
        }
        if (written >= SIZE_V1) {
            long base = ring.position * RING_OFFSET_SIZE_V1;
            long consumer = offsets.get(JAVA_LONG, base + CONSUMER_OFFSET);
            return new XdpRingLayout(
                    offsets.get(JAVA_LONG, base + PRODUCER_OFFSET),
                    consumer,
                    consumer + Integer.BYTES,
                    offsets.get(JAVA_LONG, base + DESC_OFFSET),
                    entrySize, entries);
        }
        throw new IllegalArgumentException("XDP_MMAP_OFFSETS wrote " + written + " bytes, fewer than the v1 struct ("
                + SIZE_V1 + ")");
    }
}
