package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

/**
 * A BPF map, reached through its fd with the bpf(2) map commands.
 *
 * <p>Two kinds of ownership, one API: a map of a {@link BpfObject} is <em>borrowed</em> (the object
 * owns it, {@link #close()} does nothing, and it stops working when the object closes); a map from
 * {@link #openPinned} or {@link #fromFd} is <em>owned</em> (its fd is closed exactly once by
 * {@link #close()}). Either way every call after the end throws {@link IllegalStateException}.
 *
 * <p>Keys and values are raw bytes in the layout the BPF program uses (host byte order for
 * integers). Segment arguments must be native and at least as large as the map's key or value:
 * the kernel writes a full value, so a smaller buffer is refused instead of overrun. For per-CPU maps
 * a value is {@link #valueBufferSize()} bytes: one slot per possible CPU, each rounded up to 8 bytes.
 */
public final class BpfMap implements AutoCloseable {
    /** Update flags (linux/bpf.h). */
    public static final long ANY = 0;
    public static final long NOEXIST = 1;
    public static final long EXIST = 2;
    public static final long F_LOCK = 4;

    /** Map creation flags (BPF_F_*, linux/bpf.h) this project meets. */
    public static final int F_NO_PREALLOC = 1;
    public static final int F_RDONLY_PROG = 1 << 7;
    public static final int F_MMAPABLE = 1 << 10;
    public static final int F_INNER_MAP = 1 << 12;

    /** The kernel's limit for a map name, without the NUL (BPF_OBJ_NAME_LEN - 1). */
    public static final int MAX_NAME_LENGTH = 15;

    /** BPF_MAP_TYPE_* values (linux/bpf.h) this project meets. */
    public static final int TYPE_HASH = 1;
    public static final int TYPE_ARRAY = 2;
    public static final int TYPE_PERCPU_HASH = 5;
    public static final int TYPE_PERCPU_ARRAY = 6;
    public static final int TYPE_LRU_HASH = 9;
    public static final int TYPE_LRU_PERCPU_HASH = 10;
    public static final int TYPE_LPM_TRIE = 11;
    public static final int TYPE_ARRAY_OF_MAPS = 12;
    public static final int TYPE_HASH_OF_MAPS = 13;
    public static final int TYPE_DEVMAP = 14;
    public static final int TYPE_XSKMAP = 17;
    public static final int TYPE_PERCPU_CGROUP_STORAGE = 21;

    private static final int POSSIBLE_CPUS = possibleCpus();
    /** sys/mman.h. */
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_SHARED = 0x01;

    private final String name;
    private final Lifetime lifetime;
    /** Borrowed maps: the owning object and libbpf's map; null for owned maps. */
    private final BpfObject owner;
    private final MemorySegment handle;
    /** Owned maps: the fd; null for borrowed maps. */
    private final FileDescriptor ownedFd;
    // Borrowed maps: set once at load; owned maps: set at construction.
    private volatile int loadedFd = -1;
    private volatile MapInfo info;

    private BpfMap(String name, Lifetime lifetime, BpfObject owner, MemorySegment handle, FileDescriptor ownedFd,
                   MapInfo info) {
        this.name = name;
        this.lifetime = lifetime;
        this.owner = owner;
        this.handle = handle;
        this.ownedFd = ownedFd;
        this.info = info;
    }

    static BpfMap borrowed(BpfObject owner, MemorySegment handle, String name) {
        return new BpfMap(name, null, owner, handle, null, null);
    }

    /** Opens the map pinned at {@code path} (on a bpffs); the returned map owns its new fd. */
    public static BpfMap openPinned(Path path) {
        int fd = BpfFs.open(path, "map");
        return fromFd(new FileDescriptor(fd, "BPF map pinned at " + path));
    }

    /**
     * Wraps an fd that refers to a BPF map (e.g. received over a unix socket). Takes ownership: the fd
     * is closed by {@link #close()}, or right away if it is not a map.
     */
    public static BpfMap fromFd(FileDescriptor fd) {
        Objects.requireNonNull(fd, "fd");
        try {
            int number = fd.get();
            String kind = fdKind(number);
            if (!"anon_inode:bpf-map".equals(kind)) {
                throw new IllegalArgumentException(fd + " is not a BPF map (it is " + kind + ")");
            }
            MapInfo info = MapInfo.read(number, fd.description());
            return new BpfMap(info.name(), new Lifetime("BPF map '" + info.name() + "' (" + fd.description() + ")"),
                    null, null, fd, info);
        } catch (RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Creates a map in the kernel (BPF_MAP_CREATE), without BTF. The returned map owns its new fd; the
     * kernel frees the map when the last reference (this fd, a pin, a program, an outer map holding
     * it) goes away. Used e.g. for the inner maps of a map-in-map, which user space makes and swaps.
     *
     * @param type       BPF_MAP_TYPE_*, e.g. {@link #TYPE_ARRAY}
     * @param name       at most {@link #MAX_NAME_LENGTH} characters of letters, digits, '_' and '.'
     * @param flags      BPF_F_* creation flags, e.g. {@link #F_NO_PREALLOC} (required for LPM tries)
     * @throws BpfException if the kernel refuses (EINVAL for sizes or flags the type does not take,
     *                      EPERM without CAP_BPF, ENOMEM past the memory limit)
     */
    public static BpfMap create(int type, String name, int keySize, int valueSize, int maxEntries, int flags) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !name.chars().allMatch(
                c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.'))) {
            throw new IllegalArgumentException("a map name needs 1 to " + MAX_NAME_LENGTH
                    + " letters, digits, '_' or '.', name='" + name + "'");
        }
        if (keySize < 0 || valueSize <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("map '" + name + "': keySize must not be negative, valueSize and"
                    + " maxEntries must be positive, keySize=" + keySize + ", valueSize=" + valueSize + ", maxEntries="
                    + maxEntries);
        }
        int fd;
        String log;
        try (Arena arena = Arena.ofConfined(); LibbpfLog.Capture capture = LibbpfLog.capture()) {
            MemorySegment opts = arena.allocate(BpfMapCreateOptsLayout.LAYOUT);
            opts.set(JAVA_LONG, BpfMapCreateOptsLayout.SZ, BpfMapCreateOptsLayout.SIZE);
            opts.set(JAVA_INT, BpfMapCreateOptsLayout.MAP_FLAGS, flags);
            fd = Libbpf.mapCreate(type, arena.allocateFrom(name), keySize, valueSize, maxEntries, opts);
            log = capture.text();
        }
        String what = "map '" + name + "' (type " + type + ", key " + keySize + " B, value " + valueSize + " B, "
                + maxEntries + " entries, flags 0x" + Integer.toHexString(flags) + ")";
        if (fd < 0) {
            String detail = switch (-fd) {
                case Errno.EINVAL -> "the kernel refused the definition of " + what
                        + " (LPM tries need F_NO_PREALLOC, array keys are 4 bytes, ...)";
                case Errno.EPERM -> "creating " + what + " needs CAP_BPF (or CAP_SYS_ADMIN)";
                default -> what;
            };
            throw new BpfException("bpf_map_create(" + name + ")", -fd, detail, log);
        }
        return fromFd(new FileDescriptor(fd, "BPF " + what));
    }

    /**
     * Opens the map with the kernel's id {@code id} (BPF_MAP_GET_FD_BY_ID), e.g. the inner map an
     * array-of-maps lookup names; the returned map owns its new fd.
     *
     * @throws BpfException ENOENT if no map has that id (any more)
     */
    public static BpfMap openById(int id) {
        if (id <= 0) {
            throw new IllegalArgumentException("a map id is positive, id=" + id);
        }
        int fd = Libbpf.mapGetFdById(id);
        if (fd < 0) {
            throw new BpfException("bpf_map_get_fd_by_id(" + id + ")", -fd, -fd == Errno.ENOENT ? "no map has this id"
                    : null, null);
        }
        return fromFd(new FileDescriptor(fd, "BPF map with id " + id));
    }

    private static String fdKind(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    // ---- facts ---------------------------------------------------------------------------------

    /** The map's name: libbpf's for a map of an object, the kernel's (at most 15 characters) otherwise. */
    public String name() {
        return name;
    }

    /** The map's fd; for a borrowed map valid until its object closes, for an owned one until {@link #close()}. */
    public int fd() {
        int fd = enterFd();
        exit();
        return fd;
    }

    /** The kernel's id of the map (as {@code bpftool map show} lists it); needs the map created. */
    public int id() {
        enterFd();
        try {
            return info.id();
        } finally {
            exit();
        }
    }

    /** BPF_MAP_TYPE_*, e.g. {@link #TYPE_XSKMAP}. */
    public int type() {
        return fact(MapInfo::type, Libbpf::mapType);
    }

    public int keySize() {
        return fact(MapInfo::keySize, Libbpf::mapKeySize);
    }

    /** The size of one value as the BPF program sees it (per CPU, for per-CPU maps). */
    public int valueSize() {
        return fact(MapInfo::valueSize, Libbpf::mapValueSize);
    }

    public int maxEntries() {
        return fact(MapInfo::maxEntries, Libbpf::mapMaxEntries);
    }

    /** Whether a value holds one slot per possible CPU. */
    public boolean isPerCpu() {
        return isPerCpuType(type());
    }

    /** The bytes of one value as user space reads and writes it: per-CPU maps hold one 8-aligned slot per CPU. */
    public int valueBufferSize() {
        return valueBufferSize(type(), valueSize());
    }

    /** The number of possible CPUs, i.e. of slots in a per-CPU value. */
    public static int possibleCpuCount() {
        return POSSIBLE_CPUS;
    }

    /** BPF_F_* creation flags, e.g. {@link #F_MMAPABLE}; needs the map created. */
    public int flags() {
        enterFd();
        try {
            return info.flags();
        } finally {
            exit();
        }
    }

    /**
     * Maps the values of an mmapable ARRAY map (BPF_F_MMAPABLE; libbpf makes its global-data maps so)
     * into this process, shared with the programs using it: what is stored through the segment is
     * what the next program run reads, with no syscall in between and with the memory ordering the
     * caller chooses (a release store through a VarHandle, for example). Value i starts at
     * {@code i * roundUp(valueSize, 8)}. The mapping, which also keeps the map alive, ends when
     * {@code arena} closes.
     *
     * @throws IllegalStateException if the map is not an mmapable ARRAY
     */
    public MemorySegment mapValues(Arena arena) {
        Objects.requireNonNull(arena, "arena");
        int fd = enterFd();
        try {
            MapInfo i = info;
            if (i.type() != TYPE_ARRAY || (i.flags() & F_MMAPABLE) == 0) {
                throw new IllegalStateException("map '" + name + "' cannot be mapped: it is not an mmapable ARRAY (type "
                        + i.type() + ", flags 0x" + Integer.toHexString(i.flags()) + ")");
            }
            long length = (long) roundUp8(i.valueSize()) * i.maxEntries();
            // The kernel rounds the length up to whole pages, in mmap and munmap alike.
            MemorySegment raw = Libc.mmap("mmap(BPF map '" + name + "')", length, PROT_READ | PROT_WRITE, MAP_SHARED,
                    fd, 0);
            return raw.reinterpret(length, arena, mapped -> Libc.munmap0(mapped, length));
        } finally {
            exit();
        }
    }

    /**
     * Changes the number of entries of a map of a not yet loaded object (e.g. an XSKMAP to the
     * interface's queue count).
     */
    public void setMaxEntries(int maxEntries) {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries must be positive, maxEntries=" + maxEntries);
        }
        if (owner == null) {
            throw new IllegalStateException("map '" + name + "' already exists in the kernel; its size is fixed");
        }
        owner.enter();
        try {
            owner.configure("set max_entries of map '" + name + "'", () -> {
                int r = Libbpf.mapSetMaxEntries(handle, maxEntries);
                if (r < 0) {
                    throw new BpfException("bpf_map__set_max_entries(" + name + ", " + maxEntries + ")", -r, null, null);
                }
            });
        } finally {
            owner.exit();
        }
    }

    // ---- elements ------------------------------------------------------------------------------

    /**
     * Reads the value of {@code key} into {@code value}.
     *
     * @return false if there is no such key
     */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        int fd = enterFd();
        try {
            MapInfo i = info;
            requireBuffer("key", key, i.keySize(), false);
            requireBuffer("value", value, valueBufferSize(i.type(), i.valueSize()), true);
            int r = Libbpf.mapLookupElem(fd, key, value);
            if (r == -Errno.ENOENT) {
                return false;
            }
            if (r < 0) {
                throw failure("bpf_map_lookup_elem", -r);
            }
            return true;
        } finally {
            exit();
        }
    }

    /** The value of {@code key} ({@link #valueBufferSize()} bytes), or empty if there is no such key. */
    public Optional<byte[]> lookup(byte[] key) {
        Objects.requireNonNull(key, "key");
        try (Arena arena = Arena.ofConfined()) {
            int fd = enterFd();
            try {
                MapInfo i = info;
                requireLength("key", key, i.keySize());
                MemorySegment value = arena.allocate(valueBufferSize(i.type(), i.valueSize()), 8);
                int r = Libbpf.mapLookupElem(fd, arena.allocateFrom(JAVA_BYTE, key), value);
                if (r == -Errno.ENOENT) {
                    return Optional.empty();
                }
                if (r < 0) {
                    throw failure("bpf_map_lookup_elem", -r);
                }
                return Optional.of(value.toArray(JAVA_BYTE));
            } finally {
                exit();
            }
        }
    }

    /**
     * The value of {@code key} in a per-CPU map, split into one {@link #valueSize()} array per
     * possible CPU (index = CPU number), or empty if there is no such key.
     */
    public Optional<List<byte[]>> lookupPerCpu(byte[] key) {
        int type = type();
        if (!isPerCpuType(type)) {
            throw new UnsupportedOperationException("map '" + name + "' (type " + type + ") is not a per-CPU map");
        }
        int valueSize = valueSize();
        int slot = roundUp8(valueSize);
        return lookup(key).map(all -> {
            List<byte[]> perCpu = new ArrayList<>(POSSIBLE_CPUS);
            for (int cpu = 0; cpu < POSSIBLE_CPUS; cpu++) {
                byte[] v = new byte[valueSize];
                System.arraycopy(all, cpu * slot, v, 0, valueSize);
                perCpu.add(v);
            }
            return perCpu;
        });
    }

    /** Sets {@code key} to {@code value}; {@code flags} is {@link #ANY}, {@link #NOEXIST} or {@link #EXIST}. */
    public void update(MemorySegment key, MemorySegment value, long flags) {
        int fd = enterFd();
        try {
            MapInfo i = info;
            requireBuffer("key", key, i.keySize(), false);
            requireBuffer("value", value, valueBufferSize(i.type(), i.valueSize()), false);
            int r = Libbpf.mapUpdateElem(fd, key, value, flags);
            if (r < 0) {
                throw failure("bpf_map_update_elem", -r);
            }
        } finally {
            exit();
        }
    }

    /** Sets {@code key} to {@code value} ({@link #valueBufferSize()} bytes). */
    public void update(byte[] key, byte[] value, long flags) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        try (Arena arena = Arena.ofConfined()) {
            int fd = enterFd();
            try {
                MapInfo i = info;
                requireLength("key", key, i.keySize());
                requireLength("value", value, valueBufferSize(i.type(), i.valueSize()));
                int r = Libbpf.mapUpdateElem(fd, arena.allocateFrom(JAVA_BYTE, key), arena.allocateFrom(JAVA_BYTE, value),
                        flags);
                if (r < 0) {
                    throw failure("bpf_map_update_elem", -r);
                }
            } finally {
                exit();
            }
        }
    }

    /** {@link #update(byte[], byte[], long)} with {@link #ANY}. */
    public void update(byte[] key, byte[] value) {
        update(key, value, ANY);
    }

    /**
     * Removes {@code key}.
     *
     * @return false if there was no such key
     */
    public boolean delete(MemorySegment key) {
        int fd = enterFd();
        try {
            requireBuffer("key", key, info.keySize(), false);
            return deleted(Libbpf.mapDeleteElem(fd, key));
        } finally {
            exit();
        }
    }

    /** {@link #delete(MemorySegment)} for a key given as bytes. */
    public boolean delete(byte[] key) {
        Objects.requireNonNull(key, "key");
        try (Arena arena = Arena.ofConfined()) {
            int fd = enterFd();
            try {
                requireLength("key", key, info.keySize());
                return deleted(Libbpf.mapDeleteElem(fd, arena.allocateFrom(JAVA_BYTE, key)));
            } finally {
                exit();
            }
        }
    }

    private boolean deleted(int r) {
        if (r == -Errno.ENOENT) {
            return false;
        }
        if (r < 0) {
            throw failure("bpf_map_delete_elem", -r);
        }
        return true;
    }

    /**
     * The keys present now, in the kernel's order (arrays: every index). A snapshot: entries added or
     * removed meanwhile may or may not show.
     */
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            int fd = enterFd();
            try {
                MapInfo i = info;
                MemorySegment current = arena.allocate(Math.max(1, i.keySize()), 8);
                MemorySegment next = arena.allocate(Math.max(1, i.keySize()), 8);
                MemorySegment cursor = MemorySegment.NULL;
                // A hash map whose current key is deleted during the walk restarts at its first key;
                // the bound keeps such a walk finite.
                while (keys.size() < i.maxEntries()) {
                    int r = Libbpf.mapGetNextKey(fd, cursor, next);
                    if (r == -Errno.ENOENT) {
                        break;
                    }
                    if (r < 0) {
                        throw failure("bpf_map_get_next_key", -r);
                    }
                    keys.add(next.asSlice(0, i.keySize()).toArray(JAVA_BYTE));
                    MemorySegment.copy(next, 0, current, 0, i.keySize());
                    cursor = current;
                }
            } finally {
                exit();
            }
        }
        return keys;
    }

    /**
     * Calls {@code action} with each key and its value ({@link #valueBufferSize()} bytes). The action
     * runs outside any lock, so it may use or even close this map; keys removed meanwhile are skipped.
     */
    public void forEach(BiConsumer<byte[], byte[]> action) {
        Objects.requireNonNull(action, "action");
        for (byte[] key : keys()) {
            Optional<byte[]> value = lookup(key);
            if (value.isPresent()) {
                action.accept(key, value.get());
            }
        }
    }

    // ---- pins ----------------------------------------------------------------------------------

    /** Pins the map at {@code path} on a bpffs, so it outlives this process. */
    public void pin(Path path) {
        int fd = enterFd();
        try {
            BpfFs.pin(fd, path, "map '" + name + "'");
        } finally {
            exit();
        }
    }

    /**
     * Removes a pin (the map lives on while anything else holds it).
     *
     * @return false if nothing was pinned at {@code path}
     */
    public static boolean unpin(Path path) {
        return BpfFs.unpin(path);
    }

    /** Closes an owned map's fd, once; does nothing for a map borrowed from a {@link BpfObject}. */
    @Override
    public void close() {
        if (ownedFd != null) {
            lifetime.close(ownedFd::close);
        }
    }

    /** Whether the map can still be used (a borrowed one: whether its object is open). */
    public boolean isOpen() {
        return owner != null ? owner.isOpen() : lifetime.isOpen();
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + (owner != null ? " of " + owner.name() : "") + "]";
    }

    // ---- for BpfObject -------------------------------------------------------------------------

    MemorySegment handle() {
        return handle;
    }

    /** Called by {@link BpfObject#load()} with what libbpf returned for this map. */
    void loaded(int mapFd) {
        if (mapFd < 0) {
            return; // not created (autocreate off)
        }
        info = MapInfo.read(mapFd, "map '" + name + "'");
        loadedFd = mapFd;
    }

    // ---- internals -----------------------------------------------------------------------------

    /** Starts a use and returns the fd; pair with {@link #exit()} in finally. */
    private int enterFd() {
        if (owner == null) {
            lifetime.enter();
            try {
                return ownedFd.get();
            } catch (RuntimeException e) {
                lifetime.exit();
                throw e;
            }
        }
        owner.enter();
        int fd = loadedFd;
        if (fd < 0) {
            owner.exit();
            throw new IllegalStateException(owner.loaded()
                    ? "map '" + name + "' was not created with BPF object '" + owner.name() + "'"
                    : "BPF object '" + owner.name() + "' is not loaded: call load() before using map '" + name + "'");
        }
        return fd;
    }

    private void exit() {
        if (owner == null) {
            lifetime.exit();
        } else {
            owner.exit();
        }
    }

    /** A map fact: from the kernel once the map exists, from libbpf's definition before. */
    private int fact(ToIntFunction<MapInfo> fromKernel, ToIntFunction<MemorySegment> fromLibbpf) {
        if (owner == null) {
            lifetime.enter();
            try {
                return fromKernel.applyAsInt(info);
            } finally {
                lifetime.exit();
            }
        }
        owner.enter();
        try {
            MapInfo i = info;
            return i != null ? fromKernel.applyAsInt(i) : fromLibbpf.applyAsInt(handle);
        } finally {
            owner.exit();
        }
    }

    private BpfException failure(String call, int errno) {
        String detail = switch (errno) {
            case Errno.EOPNOTSUPP, Errno.ENOTSUPP -> "this map type does not support it from user space";
            case Errno.EEXIST -> "the key exists (NOEXIST)";
            case Errno.E2BIG -> "the map is full (max_entries=" + info.maxEntries() + ")";
            case Errno.EINVAL -> "the kernel refused the key, value or flags";
            default -> null;
        };
        return new BpfException(call + "(map '" + name + "')", errno, detail, null);
    }

    private void requireBuffer(String what, MemorySegment segment, long size, boolean writable) {
        Objects.requireNonNull(segment, what);
        if (!segment.isNative()) {
            throw new IllegalArgumentException(what + " must be a native segment for map '" + name + "'");
        }
        if (segment.byteSize() < size) {
            throw new IllegalArgumentException(what + " of map '" + name + "' needs " + size + " bytes, segment has "
                    + segment.byteSize());
        }
        if (writable && segment.isReadOnly()) {
            throw new IllegalArgumentException(what + " for map '" + name + "' must be writable");
        }
    }

    private void requireLength(String what, byte[] bytes, int size) {
        if (bytes.length != size) {
            throw new IllegalArgumentException(what + " of map '" + name + "' must be " + size + " bytes, got "
                    + bytes.length);
        }
    }

    private static boolean isPerCpuType(int type) {
        return type == TYPE_PERCPU_HASH || type == TYPE_PERCPU_ARRAY || type == TYPE_LRU_PERCPU_HASH
                || type == TYPE_PERCPU_CGROUP_STORAGE;
    }

    private static int valueBufferSize(int type, int valueSize) {
        return isPerCpuType(type) ? roundUp8(valueSize) * POSSIBLE_CPUS : valueSize;
    }

    private static int roundUp8(int size) {
        return (size + 7) & ~7;
    }

    private static int possibleCpus() {
        int n = Libbpf.numPossibleCpus();
        if (n <= 0) {
            throw new BpfException("libbpf_num_possible_cpus", -n, "cannot size per-CPU values", null);
        }
        return n;
    }
}
