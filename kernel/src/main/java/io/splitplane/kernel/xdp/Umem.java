package io.splitplane.kernel.xdp;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The packet memory shared by user space and the kernel: an anonymous, page-aligned mapping cut
 * into {@code frameCount} chunks of {@code chunkSize} bytes ({@link UmemLayout}).
 *
 * <p>A {@code Umem} is only memory until the first {@link XskSocket} registers it
 * ({@link XskSocket#create}); further sockets share it with {@link XskSocket#createShared}. It may
 * be registered by one socket at a time (sharing sockets count as users of that registration).
 *
 * <p>Frame access allocates nothing: a UMEM address becomes a byte offset into {@link #memory()}
 * with {@link #offset(long)}; read and write with {@code memory().get(JAVA_BYTE, offset + i)} and
 * friends. {@link #frame(long, int)} is a convenience that allocates a slice (not for hot paths).
 *
 * <p>Closing unmaps the memory exactly once; afterwards every access through {@link #memory()}
 * throws {@link IllegalStateException} (never a crash). The kernel keeps its own pin on the pages
 * until the last socket using them is gone, so close sockets first.
 */
public final class Umem implements AutoCloseable {
    private static final long DEFAULT_HUGEPAGE_SIZE = 2L << 20;

    private final UmemConfig config;
    private final Arena arena;
    private final MemorySegment memory;
    private final long mappedLength;
    private final int chunkShift;
    private final long chunkMask;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Sockets using the registration (owner plus sharers); guarded by {@code this}. */
    private int users;
    private int registeredFd = -1;

    private Umem(UmemConfig config, Arena arena, MemorySegment memory, long mappedLength) {
        this.config = config;
        this.arena = arena;
        this.memory = memory;
        this.mappedLength = mappedLength;
        final int chunk = config.chunkSize();
        this.chunkShift = Integer.bitCount(chunk) == 1 ? Integer.numberOfTrailingZeros(chunk) : -1;
        this.chunkMask = config.chunkSize() - 1L;
    }

    /**
     * Maps the memory ({@code MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE}, plus {@code MAP_HUGETLB} if
     * asked).
     *
     * @throws KernelException naming {@code mmap}; with hugepages, ENOMEM says how many are free
     */
    @SuppressWarnings("restricted") // sizing a fresh anonymous mapping to exactly what was mapped
    public static Umem allocate(UmemConfig config) {
        Objects.requireNonNull(config, "config");
        long length = config.size();
        int flags = AfXdp.MAP_PRIVATE | AfXdp.MAP_ANONYMOUS | AfXdp.MAP_POPULATE;
        if (config.hugePages()) {
            long huge = hugePageSize();
            length = (length + huge - 1) / huge * huge;
            flags |= AfXdp.MAP_HUGETLB;
        }
        MemorySegment raw;
        try {
            raw = Libc.mmap(config.hugePages() ? "mmap(UMEM, MAP_HUGETLB)" : "mmap(UMEM)", length,
                    AfXdp.PROT_READ | AfXdp.PROT_WRITE, flags, -1, 0);
        } catch (KernelException e) {
            if (config.hugePages() && e.errno() == Errno.ENOMEM) {
                throw new KernelException("mmap(UMEM, MAP_HUGETLB)", e.errno(),
                        "no hugepages for length=" + length + " (" + hugePageFacts()
                                + "); reserve some with 'sysctl vm.nr_hugepages=N' or use hugePages=false", e);
            }
            throw e;
        }
        Arena arena = Arena.ofShared();
        final long mapped = length;
        MemorySegment memory = raw.reinterpret(mapped, arena, s -> Libc.munmap0(s, mapped));
        return new Umem(config, arena, memory.asSlice(0, config.size()), mapped);
    }

    private static long hugePageSize() {
        String value = meminfo("Hugepagesize:");
        if (value != null) {
            try {
                return Long.parseLong(value.replace("kB", "").strip()) * 1024;
            } catch (NumberFormatException ignored) {
                // fall through to the x86_64 default
            }
        }
        return DEFAULT_HUGEPAGE_SIZE;
    }

    private static String hugePageFacts() {
        return "HugePages_Free=" + meminfo("HugePages_Free:") + ", HugePages_Total=" + meminfo("HugePages_Total:")
                + ", Hugepagesize=" + meminfo("Hugepagesize:");
    }

    private static String meminfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key)) {
                    return line.substring(key.length()).strip();
                }
            }
        } catch (IOException ignored) {
            // only used for messages and a default
        }
        return null;
    }

    // ---- registration (package-private: driven by XskSocket) ------------------------------------

    /** Registers this UMEM on {@code fd} ({@code XDP_UMEM_REG}); the caller then owns one use. */
    synchronized void register(int fd) {
        requireOpen();
        if (users > 0) {
            throw new IllegalStateException("umem is already registered with socket fd=" + registeredFd
                    + "; use XskSocket.createShared to bind another socket to it");
        }
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment reg = temp.allocate(XdpUmemRegLayout.LAYOUT);
            XdpUmemRegLayout.write(reg, memory.address(), config.size(), config.chunkSize(), config.headroom(),
                    config.unalignedChunks() ? AfXdp.XDP_UMEM_UNALIGNED_CHUNK_FLAG : 0);
            int r = Libc.setsockopt0(fd, AfXdp.SOL_XDP, AfXdp.XDP_UMEM_REG, reg, (int) XdpUmemRegLayout.SIZE);
            if (r < 0) {
                throw new KernelException("setsockopt(XDP_UMEM_REG)", -r, "fd=" + fd + ", len=" + config.size()
                        + ", chunkSize=" + config.chunkSize() + ", headroom=" + config.headroom()
                        + (config.unalignedChunks() ? ", unaligned" : ""));
            }
        }
        registeredFd = fd;
        users = 1;
    }

    /** One more socket shares the registration. */
    synchronized void share() {
        requireOpen();
        if (users == 0) {
            throw new IllegalStateException("umem is not registered: create the first socket with XskSocket.create");
        }
        users++;
    }

    /** A socket using the registration is gone. */
    synchronized void release() {
        if (users > 0 && --users == 0) {
            registeredFd = -1;
        }
    }

    /** Whether a socket has registered this UMEM and is still open. */
    public synchronized boolean isRegistered() {
        return users > 0;
    }

    // ---- geometry ----------------------------------------------------------------------------------

    public UmemConfig config() {
        return config;
    }

    public int frameCount() {
        return config.frameCount();
    }

    public int chunkSize() {
        return config.chunkSize();
    }

    public int headroom() {
        return config.headroom();
    }

    /** Registered bytes ({@code frameCount * chunkSize}). */
    public long size() {
        return config.size();
    }

    /** Bytes actually mapped (rounded up to whole hugepages with {@code MAP_HUGETLB}). */
    public long mappedLength() {
        return mappedLength;
    }

    public boolean isHugePages() {
        return config.hugePages();
    }

    public boolean isUnaligned() {
        return config.unalignedChunks();
    }

    /**
     * Offset within a chunk where the kernel puts received data (headroom + XDP_PACKET_HEADROOM):
     * also a good place for frames built from scratch.
     */
    public int dataOffset() {
        return config.headroom() + UmemLayout.XDP_PACKET_HEADROOM;
    }

    /** The whole UMEM (registered part). Accesses after {@link #close()} throw. */
    public MemorySegment memory() {
        return memory;
    }

    /** UMEM address of the start of chunk {@code index}. */
    public long frameAddress(final int index) {
        return (long) Objects.checkIndex(index, config.frameCount()) * config.chunkSize();
    }

    /** Byte offset into {@link #memory()} that {@code addr} (from any ring) points at. */
    public long offset(final long addr) {
        return config.unalignedChunks() ? UmemLayout.unalignedOffset(addr) : addr;
    }

    /** Start of the chunk holding {@code addr} (aligned mode: the low bits masked off). */
    public long chunkBase(final long addr) {
        final long offset = offset(addr);
        return chunkShift >= 0 ? offset & ~chunkMask : offset - offset % config.chunkSize();
    }

    /** Index of the chunk holding {@code addr}; -1 if it is outside the UMEM. */
    public int frameIndex(final long addr) {
        final long offset = offset(addr);
        if (offset < 0 || offset >= config.size()) {
            return -1;
        }
        return (int) (chunkShift >= 0 ? offset >>> chunkShift : offset / config.chunkSize());
    }

    /** A slice of {@code len} bytes at {@code addr} (allocates: convenience for tests and slow paths). */
    public MemorySegment frame(long addr, int len) {
        return memory.asSlice(offset(addr), len);
    }

    public boolean isOpen() {
        return !closed.get();
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("umem is closed");
        }
    }

    /** Unmaps the memory, once; later calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "Umem[frames=" + config.frameCount() + ", chunkSize=" + config.chunkSize() + ", headroom="
                + config.headroom() + (config.hugePages() ? ", hugepages" : "") + (closed.get() ? ", closed" : "")
                + "]";
    }
}
