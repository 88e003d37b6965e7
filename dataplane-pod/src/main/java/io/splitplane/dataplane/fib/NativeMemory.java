package io.splitplane.dataplane.fib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Big zeroed off-heap tables from anonymous {@code mmap}, owned by an {@link Arena} (closing the
 * arena unmaps them).
 *
 * <p>Why not {@link Arena#allocate}: it zeroes the memory by writing it, which faults in every page
 * as a 4 KiB page at once. An anonymous mapping is zero without a write, costs resident memory only
 * where the table is used, and takes {@code madvise(MADV_HUGEPAGE)} before the first touch, so the
 * kernel backs it with 2 MiB pages where it can (this machine runs THP in {@code madvise} mode). For
 * tbl24 that is the difference between a TLB miss on nearly every lookup in a 64 MiB table (16,384
 * small pages) and none (32 huge pages fit the STLB).
 *
 * <p>Failures fall back to {@link Arena#allocate}: huge pages are an optimisation, never a
 * requirement.
 */
@SuppressWarnings("restricted") // downcalls to mmap/madvise/munmap, and sizing the fresh mapping
final class NativeMemory {
    static final long HUGE_PAGE_BYTES = 2L << 20;

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        final Linker linker = Linker.nativeLinker();
        final var libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        MUNMAP = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        MADVISE = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private NativeMemory() {
    }

    /**
     * {@code bytes} of zeroed memory aligned to {@code 64} bytes (to 2 MiB when {@code hugePages}),
     * unmapped when {@code arena} closes.
     */
    static MemorySegment allocateZeroed(final Arena arena, final long bytes, final boolean hugePages) {
        final long mapBytes = hugePages ? bytes + HUGE_PAGE_BYTES : bytes;
        final MemorySegment base;
        try {
            base = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapBytes, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable t) {
            return arena.allocate(bytes, 64);
        }
        if (base.address() == MAP_FAILED || base.address() == 0L) {
            return arena.allocate(bytes, 64);
        }
        final long baseAddress = base.address();
        final long alignedAddress = hugePages
                ? (baseAddress + HUGE_PAGE_BYTES - 1) & -HUGE_PAGE_BYTES
                : baseAddress;
        final MemorySegment aligned = MemorySegment.ofAddress(alignedAddress);
        if (hugePages) {
            try {
                final int ignored = (int) MADVISE.invokeExact(aligned, bytes & -HUGE_PAGE_BYTES, MADV_HUGEPAGE);
            } catch (Throwable t) {
                // no huge pages: still correct, just more TLB misses
            }
        }
        return aligned.reinterpret(bytes, arena, unused -> unmap(baseAddress, mapBytes));
    }

    private static void unmap(final long address, final long bytes) {
        try {
            final int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), bytes);
        } catch (Throwable t) {
            // nothing useful to do while closing; the mapping leaks
        }
    }
}
