package io.splitplane.kernel.xdp;

/**
 * How a UMEM is cut into chunks and what a UMEM address means.
 *
 * <pre>
 * UMEM (page aligned, frameCount * chunkSize bytes; rounded up to whole hugepages with MAP_HUGETLB)
 * +-----------------+-----------------+-----------------+-- ... --+-----------------+
 * | chunk 0         | chunk 1         | chunk 2         |         | chunk n-1       |
 * +-----------------+-----------------+-----------------+-- ... --+-----------------+
 * 0                 chunkSize         2*chunkSize                 (n-1)*chunkSize
 *
 * one chunk, aligned mode (an RX descriptor's addr points at "packet"):
 * +----------------+-----------------------------+-------------------------------+
 * | headroom       | XDP_PACKET_HEADROOM (256)   | packet (len bytes) ... tail   |
 * | (UMEM config)  | (kernel, for XDP metadata)  |                               |
 * +----------------+-----------------------------+-------------------------------+
 * ^ chunk base = addr &amp; ~(chunkSize-1)           ^ RX addr = base + headroom + 256
 * </pre>
 *
 * <ul>
 * <li>Aligned mode: addresses are plain byte offsets into the UMEM. The kernel masks the low bits
 *     of FILL addresses (2048, 2050 and 3000 are the same chunk with chunkSize 2048). A TX
 *     descriptor may point anywhere in a chunk as long as {@code addr + len} stays inside it; the
 *     COMPLETION ring gives back the TX address unchanged.</li>
 * <li>Unaligned mode ({@link AfXdp#XDP_UMEM_UNALIGNED_CHUNK_FLAG}): an RX address is
 *     {@code base | (offset << 48)}: byte offset = {@code (addr & ADDR_MASK) + (addr >>> 48)}.</li>
 * </ul>
 */
public final class UmemLayout {
    /** Headroom the kernel keeps in front of every received packet ({@code XDP_PACKET_HEADROOM}). */
    public static final int XDP_PACKET_HEADROOM = 256;
    /** Smallest chunk the kernel accepts ({@code XDP_UMEM_MIN_CHUNK_SHIFT} = 11). */
    public static final int MIN_CHUNK_SIZE = 2048;
    /** Largest chunk: one page ({@code PAGE_SIZE} on x86_64; checked by {@code XdpLayoutTest}). */
    public static final int PAGE_SIZE = 4096;
    /**
     * Bytes of a chunk that UMEM headroom must leave free: XDP_PACKET_HEADROOM (256) +
     * SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) (320 on x86_64) + 128, the bound a 2026 stable
     * kernel fix enforces (older kernels only need {@code headroom < chunkSize - 256}).
     */
    public static final int HEADROOM_RESERVE = XDP_PACKET_HEADROOM + 320 + 128;
    /** {@code XSK_UNALIGNED_BUF_OFFSET_SHIFT}. */
    public static final int UNALIGNED_OFFSET_SHIFT = 48;
    /** {@code XSK_UNALIGNED_BUF_ADDR_MASK}. */
    public static final long UNALIGNED_ADDR_MASK = (1L << UNALIGNED_OFFSET_SHIFT) - 1;

    private UmemLayout() {
    }

    /** Largest UMEM headroom accepted for {@code chunkSize}. */
    public static int maxHeadroom(int chunkSize) {
        return chunkSize - HEADROOM_RESERVE;
    }

    /** Byte offset into the UMEM of the data an unaligned-mode address points at. */
    public static long unalignedOffset(long addr) {
        return (addr & UNALIGNED_ADDR_MASK) + (addr >>> UNALIGNED_OFFSET_SHIFT);
    }

    /** Encodes an unaligned-mode address. */
    public static long unalignedAddress(long base, int offset) {
        return (base & UNALIGNED_ADDR_MASK) | ((long) offset << UNALIGNED_OFFSET_SHIFT);
    }
}
