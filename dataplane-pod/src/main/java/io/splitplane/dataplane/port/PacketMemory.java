package io.splitplane.dataplane.port;

import io.splitplane.kernel.xdp.Umem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The memory packets live in: {@code frameCount} frames ("chunks") of {@code chunkSize} bytes, a
 * power of two, in one {@link MemorySegment}. A packet address ({@code PacketVector.addr}) is a
 * byte offset into {@link #segment()}, exactly a UMEM address in aligned mode, so nodes read and
 * write packets with {@code segment().get(layout, addr + k)} and nothing allocates.
 *
 * <pre>
 *   frame i: [ i*chunkSize ............................................ (i+1)*chunkSize )
 *            [ headroom: dataOffset bytes | packet data (received here) ... | free      ]
 * </pre>
 *
 * A packet may start anywhere in its frame (a node strips or prepends headers by moving
 * {@code addr}); {@link #chunkBase(long)} finds the frame again. Two sources: an AF_XDP
 * {@link Umem} ({@link #of(Umem)}) or plain off-heap memory for memory ports ({@link #allocate}).
 */
public final class PacketMemory {
    /** Headroom of frames built by memory ports: the kernel's XDP_PACKET_HEADROOM. */
    public static final int DEFAULT_DATA_OFFSET = 256;

    private final MemorySegment segment;
    private final int frameCount;
    private final int chunkSize;
    private final int chunkShift;
    private final long chunkMask;
    private final int dataOffset;
    private final String origin;

    private PacketMemory(MemorySegment segment, int frameCount, int chunkSize, int dataOffset, String origin) {
        if (frameCount < 1) {
            throw new IllegalArgumentException("frameCount=" + frameCount + " must be at least 1");
        }
        if (chunkSize < 64 || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunkSize=" + chunkSize + " must be a power of two >= 64");
        }
        if (dataOffset < 0 || dataOffset >= chunkSize) {
            throw new IllegalArgumentException("dataOffset=" + dataOffset + " is outside 0.." + (chunkSize - 1));
        }
        this.segment = segment;
        this.frameCount = frameCount;
        this.chunkSize = chunkSize;
        this.chunkShift = Integer.numberOfTrailingZeros(chunkSize);
        this.chunkMask = chunkSize - 1L;
        this.dataOffset = dataOffset;
        this.origin = origin;
    }

    /** The memory of an aligned AF_XDP UMEM (addresses are UMEM addresses). */
    public static PacketMemory of(Umem umem) {
        Objects.requireNonNull(umem, "umem");
        if (umem.isUnaligned()) {
            throw new IllegalArgumentException("unaligned UMEMs are not supported: a packet address must find its"
                    + " frame by masking");
        }
        return new PacketMemory(umem.memory(), umem.frameCount(), umem.chunkSize(), umem.dataOffset(), umem.toString());
    }

    /** {@code frameCount} frames of {@code chunkSize} bytes in {@code arena} (page aligned, zeroed). */
    public static PacketMemory allocate(Arena arena, int frameCount, int chunkSize, int dataOffset) {
        Objects.requireNonNull(arena, "arena");
        if (frameCount < 1 || chunkSize < 64 || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("frameCount=" + frameCount + ", chunkSize=" + chunkSize
                    + ": need frameCount >= 1 and chunkSize a power of two >= 64");
        }
        MemorySegment s = arena.allocate((long) frameCount * chunkSize, 4096);
        return new PacketMemory(s, frameCount, chunkSize, dataOffset, "off-heap");
    }

    /** The bytes; a packet address is an offset into it. */
    public MemorySegment segment() {
        return segment;
    }

    public int frameCount() {
        return frameCount;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Where received data starts in a frame (and a good place to build a packet). */
    public int dataOffset() {
        return dataOffset;
    }

    /** Base address of frame {@code index}. */
    public long frameAddress(final int index) {
        return (long) Objects.checkIndex(index, frameCount) << chunkShift;
    }

    /** Base address of the frame holding {@code addr}. */
    public long chunkBase(final long addr) {
        return addr & ~chunkMask;
    }

    /** Index of the frame holding {@code addr}, or -1 if outside. */
    public int frameIndex(final long addr) {
        return addr < 0 || addr >= (long) frameCount << chunkShift ? -1 : (int) (addr >>> chunkShift);
    }

    @Override
    public String toString() {
        return "PacketMemory[frames=" + frameCount + ", chunkSize=" + chunkSize + ", dataOffset=" + dataOffset + ", "
                + origin + "]";
    }
}
