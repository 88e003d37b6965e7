package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.sys.Downcalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A BPF ELF object opened with libbpf: its programs and maps, loaded into the kernel by
 * {@link #load()}. Opening only parses; between open and load, maps may still be resized
 * ({@link BpfMap#setMaxEntries}).
 *
 * <p>The object owns everything libbpf made for it: closing it unloads programs and maps that
 * nothing else holds (a pin, an fd from {@link BpfMap#openPinned}, an {@link XdpAttachment}, which
 * keeps its program), and makes every {@link BpfProgram} and borrowed {@link BpfMap} of it throw
 * {@link IllegalStateException}. Close is idempotent and waits for calls in flight on other threads.
 */
public final class BpfObject implements AutoCloseable {
    private enum State { OPENED, LOADED, LOAD_FAILED }

    private final String name;
    /** Holds what libbpf may still read after open (the ELF bytes of open_mem); freed after bpf_object__close. */
    private final Arena arena;
    private final MemorySegment handle;
    private final Lifetime lifetime;
    private final List<BpfProgram> programs;
    private final List<BpfMap> maps;
    private volatile State state = State.OPENED;

    private BpfObject(String name, Arena arena, MemorySegment handle) {
        this.name = name;
        this.arena = arena;
        this.handle = handle;
        this.lifetime = new Lifetime("BPF object '" + name + "'");
        List<BpfProgram> ps = new ArrayList<>();
        for (MemorySegment p = Libbpf.nextProgram(handle, MemorySegment.NULL); !MemorySegment.NULL.equals(p);
                p = Libbpf.nextProgram(handle, p)) {
            ps.add(new BpfProgram(this, p, Libbpf.programName(p)));
        }
        List<BpfMap> ms = new ArrayList<>();
        for (MemorySegment m = Libbpf.nextMap(handle, MemorySegment.NULL); !MemorySegment.NULL.equals(m);
                m = Libbpf.nextMap(handle, m)) {
            ms.add(BpfMap.borrowed(this, m, Libbpf.mapName(m)));
        }
        this.programs = List.copyOf(ps);
        this.maps = List.copyOf(ms);
    }

    /** Opens an ELF file. The object is named after the file, up to its first dot, as libbpf does. */
    public static BpfObject open(Path file) {
        Objects.requireNonNull(file, "file");
        String path = file.toString();
        return open("bpf_object__open_file(" + path + ")", objectName(file.getFileName().toString()), arena -> {
            MemorySegment errno = Downcalls.errnoSlot();
            MemorySegment object = Libbpf.objectOpenFile(errno, arena.allocateFrom(path), openOpts(arena, null));
            return new Opened(object, Downcalls.errno(errno));
        });
    }

    /**
     * Opens an object from its ELF bytes.
     *
     * @param name the object's name (libbpf prefixes internal maps such as {@code .rodata} with it)
     */
    public static BpfObject open(byte[] elf, String name) {
        Objects.requireNonNull(elf, "elf");
        Objects.requireNonNull(name, "name");
        if (elf.length == 0) {
            throw new IllegalArgumentException("empty ELF for BPF object '" + name + "'");
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("a BPF object needs a non-blank name");
        }
        return open("bpf_object__open_mem(" + name + ", " + elf.length + " bytes)", name, arena -> {
            // libbpf parses this buffer in place; it lives in the object's arena until close.
            MemorySegment bytes = arena.allocateFrom(JAVA_BYTE, elf);
            MemorySegment errno = Downcalls.errnoSlot();
            MemorySegment object = Libbpf.objectOpenMem(errno, bytes, bytes.byteSize(), openOpts(arena, name));
            return new Opened(object, Downcalls.errno(errno));
        });
    }

    /**
     * Opens an object shipped as a class-path resource, e.g. {@code openResource(XskRedirect.class,
     * "xsk_redirect.bpf.o")} (resolved as {@link Class#getResourceAsStream} does).
     */
    public static BpfObject openResource(Class<?> anchor, String resource) {
        Objects.requireNonNull(anchor, "anchor");
        Objects.requireNonNull(resource, "resource");
        byte[] elf;
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource '" + resource + "' found from " + anchor.getName());
            }
            elf = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("read BPF object resource '" + resource + "'", e);
        }
        String file = resource.substring(resource.lastIndexOf('/') + 1);
        return open(elf, objectName(file));
    }

    private record Opened(MemorySegment object, int errno) {
    }

    private static BpfObject open(String operation, String name, Function<Arena, Opened> opener) {
        Arena arena = Arena.ofShared();
        try {
            Opened opened;
            String log;
            try (LibbpfLog.Capture capture = LibbpfLog.capture()) {
                opened = opener.apply(arena);
                log = capture.text();
            }
            if (MemorySegment.NULL.equals(opened.object())) {
                throw new BpfException(operation, opened.errno(), null, log);
            }
            try {
                return new BpfObject(name, arena, opened.object());
            } catch (RuntimeException | Error e) {
                Libbpf.objectClose(opened.object());
                throw e;
            }
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static MemorySegment openOpts(Arena arena, String objectName) {
        MemorySegment opts = arena.allocate(BpfObjectOpenOptsLayout.LAYOUT);
        opts.set(JAVA_LONG, BpfObjectOpenOptsLayout.SZ, BpfObjectOpenOptsLayout.SIZE);
        if (objectName != null) {
            opts.set(ADDRESS, BpfObjectOpenOptsLayout.OBJECT_NAME, arena.allocateFrom(objectName));
        }
        return opts;
    }

    private static String objectName(String fileName) {
        int dot = fileName.indexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /**
     * Creates the maps and loads every program into the kernel. Can be tried once: libbpf does not
     * load an object twice, also not after a failure.
     *
     * @throws BpfException whose message holds libbpf's explanation and, for a program the verifier
     *                      rejected, the end of the verifier log ({@link BpfException#verifierLog()})
     */
    public void load() {
        lifetime.enter();
        try {
            synchronized (this) {
                if (state == State.LOADED) {
                    throw new IllegalStateException("BPF object '" + name + "' is already loaded");
                }
                if (state == State.LOAD_FAILED) {
                    throw new IllegalStateException("BPF object '" + name
                            + "' failed to load before; libbpf loads an object once: open it again");
                }
                int r;
                String log;
                try (LibbpfLog.Capture capture = LibbpfLog.capture()) {
                    r = Libbpf.objectLoad(handle);
                    log = capture.text();
                }
                if (r < 0) {
                    state = State.LOAD_FAILED;
                    throw new BpfException("bpf_object__load(" + name + ")", -r, null, log);
                }
                for (BpfProgram program : programs) {
                    program.loaded(Libbpf.programFd(program.handle()));
                }
                for (BpfMap map : maps) {
                    map.loaded(Libbpf.mapFd(map.handle()));
                }
                state = State.LOADED;
            }
        } finally {
            lifetime.exit();
        }
    }

    /** The object's name (from the file name, or as given for bytes). */
    public String name() {
        return name;
    }

    public boolean isLoaded() {
        return state == State.LOADED && lifetime.isOpen();
    }

    public boolean isOpen() {
        return lifetime.isOpen();
    }

    /** The program with this function name; the error lists the names there are. */
    public BpfProgram program(String name) {
        Objects.requireNonNull(name, "name");
        requireOpen();
        for (BpfProgram program : programs) {
            if (program.name().equals(name)) {
                return program;
            }
        }
        throw new IllegalArgumentException("no program '" + name + "' in BPF object '" + this.name + "'; programs: "
                + programs.stream().map(BpfProgram::name).toList());
    }

    /** The map with this name; the error lists the names there are. */
    public BpfMap map(String name) {
        Objects.requireNonNull(name, "name");
        requireOpen();
        for (BpfMap map : maps) {
            if (map.name().equals(name)) {
                return map;
            }
        }
        throw new IllegalArgumentException("no map '" + name + "' in BPF object '" + this.name + "'; maps: "
                + maps.stream().map(BpfMap::name).toList());
    }

    /** Every program, in ELF order. */
    public List<BpfProgram> programs() {
        requireOpen();
        return programs;
    }

    /** Every map, in ELF order, including libbpf's internal ones ({@code .rodata}, {@code .bss}, ...). */
    public List<BpfMap> maps() {
        requireOpen();
        return maps;
    }

    /** Frees the object and everything libbpf made for it; idempotent. */
    @Override
    public void close() {
        lifetime.close(() -> {
            try {
                Libbpf.objectClose(handle);
            } finally {
                arena.close();
            }
        });
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + ", " + (lifetime.isOpen() ? state.name().toLowerCase() : "closed") + "]";
    }

    // ---- for the programs and maps of this object ----------------------------------------------

    void enter() {
        lifetime.enter();
    }

    void exit() {
        lifetime.exit();
    }

    /** Call between {@link #enter()} and {@link #exit()}. */
    boolean loaded() {
        return state == State.LOADED;
    }

    /**
     * Runs {@code change} (a libbpf setter) if the object is not loaded yet: libbpf fixes a map's
     * definition when it creates the map. Call between {@link #enter()} and {@link #exit()}.
     */
    synchronized void configure(String what, Runnable change) {
        if (state != State.OPENED) {
            throw new IllegalStateException(what + ": BPF object '" + name
                    + "' was already loaded; change map definitions before load()");
        }
        change.run();
    }

    private void requireOpen() {
        if (!lifetime.isOpen()) {
            throw new IllegalStateException(lifetime.what() + " is closed");
        }
    }
}
