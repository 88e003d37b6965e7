package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Where the parts of one mmapped ring are, as the kernel reports them in
 * {@code XDP_MMAP_OFFSETS} ({@link XdpMmapOffsetsLayout}), plus the entry size and count.
 *
 * <p>The kernel's {@code struct xdp_ring} ({@code net/xdp/xsk_queue.h}) keeps each index on its
 * own cache line, so producer and consumer never share a line:
 *
 * <pre>
 *   0  u32 producer      written by the producer only (release), read by the consumer (acquire)
 *  64  pad1              (cache line)
 * 128  u32 consumer      written by the consumer only (release), read by the producer (acquire)
 * 192  pad2              (cache line, u32)
 * 196  u32 flags         XDP_RING_NEED_WAKEUP, written by the kernel, read relaxed
 * 256  pad3              (cache line)
 * 320  desc[entries]     u64 (FILL, COMPLETION) or struct xdp_desc (RX, TX), slot = index &amp; (entries-1)
 * </pre>
 *
 * Those numbers were measured on x86_64 6.18 ({@link #standard}); code never assumes them: it
 * uses the offsets the kernel returns.
 *
 * @param producerOffset byte offset of the u32 producer index
 * @param consumerOffset byte offset of the u32 consumer index
 * @param flagsOffset byte offset of the u32 flags word
 * @param descOffset byte offset of entry 0
 * @param entrySize bytes per entry: {@link XdpDescLayout#SIZE} or {@link XdpDescLayout#UMEM_ADDR_SIZE}
 * @param entries number of entries, a power of two
 */
public record XdpRingLayout(long producerOffset, long consumerOffset, long flagsOffset, long descOffset,
                            int entrySize, int entries) {
    /**
     * The kernel's {@code struct xdp_ring} header on x86_64 (64-byte cache lines), as in the diagram;
     * {@code desc[]} follows at its end. Measured on 6.18 for all four rings (XskSocketTest checks
     * the live offsets against it).
     */
    public static final StructLayout STANDARD_HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("producer"),
            MemoryLayout.paddingLayout(124),
            JAVA_INT.withName("consumer"),
            MemoryLayout.paddingLayout(60),
            JAVA_INT.withName("pad2"),
            JAVA_INT.withName("flags"),
            MemoryLayout.paddingLayout(56),
            JAVA_INT.withName("pad3"),
            MemoryLayout.paddingLayout(60)).withName("xdp_ring");

    public static final long STANDARD_PRODUCER_OFFSET = headerOffset("producer");
    public static final long STANDARD_CONSUMER_OFFSET = headerOffset("consumer");
    public static final long STANDARD_FLAGS_OFFSET = headerOffset("flags");
    public static final long STANDARD_DESC_OFFSET = STANDARD_HEADER.byteSize();

    public XdpRingLayout {
        if (entrySize != XdpDescLayout.SIZE && entrySize != XdpDescLayout.UMEM_ADDR_SIZE) {
            throw new IllegalArgumentException("entrySize=" + entrySize + " is neither "
                    + XdpDescLayout.SIZE + " nor " + XdpDescLayout.UMEM_ADDR_SIZE);
        }
        if (entries <= 0 || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries=" + entries + " is not a power of two");
        }
        for (long offset : new long[] {producerOffset, consumerOffset, flagsOffset}) {
            if (offset < 0 || offset % 4 != 0) {
                throw new IllegalArgumentException("ring index offset=" + offset
                        + " is not a non-negative multiple of 4");
            }
        }
        if (descOffset < 0 || descOffset % 8 != 0) {
            throw new IllegalArgumentException("descOffset=" + descOffset + " is not a non-negative multiple of 8");
        }
    }

    private static long headerOffset(String field) {
        return STANDARD_HEADER.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** The layout the kernel uses on x86_64 (see the diagram), for rings over plain memory in tests. */
    public static XdpRingLayout standard(int entrySize, int entries) {
        return new XdpRingLayout(STANDARD_PRODUCER_OFFSET, STANDARD_CONSUMER_OFFSET, STANDARD_FLAGS_OFFSET,
                STANDARD_DESC_OFFSET, entrySize, entries);
    }

    /** Bytes to mmap: header plus entries. */
    public long mmapLength() {
        return descOffset + (long) entries * entrySize;
    }
}
