package io.splitplane.kernel.xdp;

/**
 * How to allocate and register a {@link Umem}. Validated when built, before any syscall; every
 * message names the field ({@code "chunkSize=3000 is not a power of two"}).
 *
 * @param frameCount number of chunks (at least 1)
 * @param chunkSize bytes per chunk: 2048..PAGE_SIZE; a power of two unless {@code unalignedChunks}
 * @param headroom bytes the kernel leaves free at the start of each chunk, before its own
 *        XDP_PACKET_HEADROOM; at most {@link UmemLayout#maxHeadroom(int)}
 * @param hugePages back the UMEM with hugepages ({@code MAP_HUGETLB}); fails clearly when none are free
 * @param unalignedChunks register with {@link AfXdp#XDP_UMEM_UNALIGNED_CHUNK_FLAG}: addresses are used
 *        verbatim instead of being masked to a chunk
 */
public record UmemConfig(int frameCount, int chunkSize, int headroom, boolean hugePages, boolean unalignedChunks) {
    /** libxdp's default frame size. */
    public static final int DEFAULT_CHUNK_SIZE = 4096;

    public UmemConfig {
        if (frameCount < 1) {
            throw new IllegalArgumentException("frameCount=" + frameCount + " must be at least 1");
        }
        if (chunkSize < UmemLayout.MIN_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunkSize=" + chunkSize + " is below the kernel minimum "
                    + UmemLayout.MIN_CHUNK_SIZE);
        }
        if (chunkSize > UmemLayout.PAGE_SIZE) {
            throw new IllegalArgumentException("chunkSize=" + chunkSize + " is above PAGE_SIZE="
                    + UmemLayout.PAGE_SIZE);
        }
        if (!unalignedChunks && Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunkSize=" + chunkSize
                    + " is not a power of two (required unless unalignedChunks)");
        }
        if (headroom < 0 || headroom > UmemLayout.maxHeadroom(chunkSize)) {
            throw new IllegalArgumentException("headroom=" + headroom + " is outside 0.."
                    + UmemLayout.maxHeadroom(chunkSize) + " for chunkSize=" + chunkSize);
        }
        if ((long) frameCount * chunkSize > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("frameCount=" + frameCount + " * chunkSize=" + chunkSize
                    + " is too large");
        }
    }

    /** {@code frameCount} chunks of {@link #DEFAULT_CHUNK_SIZE}, no headroom, normal pages, aligned. */
    public static UmemConfig of(int frameCount) {
        return new UmemConfig(frameCount, DEFAULT_CHUNK_SIZE, 0, false, false);
    }

    public UmemConfig withFrameCount(int value) {
        return new UmemConfig(value, chunkSize, headroom, hugePages, unalignedChunks);
    }

    public UmemConfig withChunkSize(int value) {
        return new UmemConfig(frameCount, value, headroom, hugePages, unalignedChunks);
    }

    public UmemConfig withHeadroom(int value) {
        return new UmemConfig(frameCount, chunkSize, value, hugePages, unalignedChunks);
    }

    public UmemConfig withHugePages(boolean value) {
        return new UmemConfig(frameCount, chunkSize, headroom, value, unalignedChunks);
    }

    public UmemConfig withUnalignedChunks(boolean value) {
        return new UmemConfig(frameCount, chunkSize, headroom, hugePages, value);
    }

    /** Bytes registered with the kernel: {@code frameCount * chunkSize}. */
    public long size() {
        return (long) frameCount * chunkSize;
    }
}
