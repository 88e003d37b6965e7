package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.sys.Downcalls;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The downcalls into libbpf.so.1 (libbpf 1.1 API), one method per C function.
 *
 * <p>libbpf 1.x reports failure two ways, and the methods keep both visible: functions returning
 * {@code int} return {@code -errno}, and they are passed through unchanged; functions returning a
 * pointer return NULL and set errno, so their methods capture errno and return it through
 * {@link Downcalls#errnoSlot()} of the calling thread. No method here throws for a failed call:
 * the typed classes ({@link BpfObject}, {@link BpfMap}, ...) turn results into exceptions, with the
 * libbpf log text they captured around the call.
 *
 * <p>Every pointer handed in here must come from an open {@link BpfObject}; the callers guard that
 * with {@link Lifetime}, because libbpf dereferences whatever it is given.
 */
final class Libbpf {
    private static final SymbolLookup LIBRARY = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());

    // One holder class per function: a downcall handle is linked (FFM spins its classes and stub) when
    // its function is first called, not when this class initializes, so a short-lived process (the
    // CNI plugin) pays only for the calls it makes. The JIT still sees each handle as a constant.
    private static final class ObjectOpenFileCall {
        static final MethodHandle HANDLE = withErrno("bpf_object__open_file",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    }
    private static final class ObjectOpenMemCall {
        static final MethodHandle HANDLE = withErrno("bpf_object__open_mem",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    }
    private static final class ObjectLoadCall {
        static final MethodHandle HANDLE = plain("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class ObjectCloseCall {
        static final MethodHandle HANDLE = plain("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    }
    private static final class ObjectNextProgramCall {
        static final MethodHandle HANDLE = plain("bpf_object__next_program",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    }
    private static final class ObjectNextMapCall {
        static final MethodHandle HANDLE = plain("bpf_object__next_map",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    }

    private static final class ProgramNameCall {
        static final MethodHandle HANDLE = plain("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    }
    private static final class ProgramFdCall {
        static final MethodHandle HANDLE = plain("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class ProgramTypeCall {
        static final MethodHandle HANDLE = plain("bpf_program__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class MapNameCall {
        static final MethodHandle HANDLE = plain("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    }
    private static final class MapFdCall {
        static final MethodHandle HANDLE = plain("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class MapTypeCall {
        static final MethodHandle HANDLE = plain("bpf_map__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class MapKeySizeCall {
        static final MethodHandle HANDLE = plain("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class MapValueSizeCall {
        static final MethodHandle HANDLE = plain("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class MapMaxEntriesCall {
        static final MethodHandle HANDLE = plain("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class MapSetMaxEntriesCall {
        static final MethodHandle HANDLE = plain("bpf_map__set_max_entries",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class MapLookupElemCall {
        static final MethodHandle HANDLE = plain("bpf_map_lookup_elem",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class MapUpdateElemCall {
        static final MethodHandle HANDLE = plain("bpf_map_update_elem",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    }
    private static final class MapDeleteElemCall {
        static final MethodHandle HANDLE = plain("bpf_map_delete_elem",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class MapGetNextKeyCall {
        static final MethodHandle HANDLE = plain("bpf_map_get_next_key",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class ObjPinCall {
        static final MethodHandle HANDLE = plain("bpf_obj_pin", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class ObjGetCall {
        static final MethodHandle HANDLE = plain("bpf_obj_get", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class ObjGetInfoByFdCall {
        static final MethodHandle HANDLE = plain("bpf_obj_get_info_by_fd",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class ProgGetFdByIdCall {
        static final MethodHandle HANDLE = plain("bpf_prog_get_fd_by_id",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class MapGetFdByIdCall {
        static final MethodHandle HANDLE = plain("bpf_map_get_fd_by_id",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class MapCreateCall {
        static final MethodHandle HANDLE = plain("bpf_map_create",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class ProgTestRunOptsCall {
        static final MethodHandle HANDLE = plain("bpf_prog_test_run_opts",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class XdpAttachCall {
        static final MethodHandle HANDLE = plain("bpf_xdp_attach",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class XdpDetachCall {
        static final MethodHandle HANDLE = plain("bpf_xdp_detach",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class XdpQueryCall {
        static final MethodHandle HANDLE = plain("bpf_xdp_query",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class TcHookCreateCall {
        static final MethodHandle HANDLE = plain("bpf_tc_hook_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class TcAttachCall {
        static final MethodHandle HANDLE = plain("bpf_tc_attach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class TcDetachCall {
        static final MethodHandle HANDLE = plain("bpf_tc_detach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class SetPrintCall {
        static final MethodHandle HANDLE = plain("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
    }
    private static final class NumPossibleCpusCall {
        static final MethodHandle HANDLE = plain("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class StrerrorCall {
        static final MethodHandle HANDLE = plain("libbpf_strerror",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    static {
        // Before the first libbpf call can print anything, its output must already go to our logger.
        LibbpfLog.route();
    }

    private Libbpf() {
    }

    /** Loads libbpf and routes its log (both happen once, as this class initializes). */
    static void initialize() {
        // class initialization did the work
    }

    private static MethodHandle withErrno(String name, FunctionDescriptor descriptor) {
        return Downcalls.withErrno(LIBRARY, name, descriptor);
    }

    private static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return Downcalls.plain(LIBRARY, name, descriptor);
    }

    // ---- objects: pointer results, NULL + errno on failure ------------------------------------

    static MemorySegment objectOpenFile(MemorySegment errno, MemorySegment path, MemorySegment opts) {
        try {
            return (MemorySegment) ObjectOpenFileCall.HANDLE.invokeExact(errno, path, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static MemorySegment objectOpenMem(MemorySegment errno, MemorySegment buffer, long size, MemorySegment opts) {
        try {
            return (MemorySegment) ObjectOpenMemCall.HANDLE.invokeExact(errno, buffer, size, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int objectLoad(MemorySegment object) {
        try {
            return (int) ObjectLoadCall.HANDLE.invokeExact(object);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static void objectClose(MemorySegment object) {
        try {
            ObjectCloseCall.HANDLE.invokeExact(object);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The program after {@code previous} (NULL: the first), or NULL at the end. */
    static MemorySegment nextProgram(MemorySegment object, MemorySegment previous) {
        try {
            return (MemorySegment) ObjectNextProgramCall.HANDLE.invokeExact(object, previous);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The map after {@code previous} (NULL: the first), or NULL at the end. */
    static MemorySegment nextMap(MemorySegment object, MemorySegment previous) {
        try {
            return (MemorySegment) ObjectNextMapCall.HANDLE.invokeExact(object, previous);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- programs and maps of an object --------------------------------------------------------

    static String programName(MemorySegment program) {
        try {
            return cString((MemorySegment) ProgramNameCall.HANDLE.invokeExact(program));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The program's fd once loaded, else {@code -errno}. */
    static int programFd(MemorySegment program) {
        try {
            return (int) ProgramFdCall.HANDLE.invokeExact(program);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int programType(MemorySegment program) {
        try {
            return (int) ProgramTypeCall.HANDLE.invokeExact(program);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static String mapName(MemorySegment map) {
        try {
            return cString((MemorySegment) MapNameCall.HANDLE.invokeExact(map));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The map's fd once loaded, else {@code -errno}. */
    static int mapFd(MemorySegment map) {
        try {
            return (int) MapFdCall.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapType(MemorySegment map) {
        try {
            return (int) MapTypeCall.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapKeySize(MemorySegment map) {
        try {
            return (int) MapKeySizeCall.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapValueSize(MemorySegment map) {
        try {
            return (int) MapValueSizeCall.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapMaxEntries(MemorySegment map) {
        try {
            return (int) MapMaxEntriesCall.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapSetMaxEntries(MemorySegment map, int maxEntries) {
        try {
            return (int) MapSetMaxEntriesCall.HANDLE.invokeExact(map, maxEntries);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- bpf(2) wrappers: 0 / fd or -errno -----------------------------------------------------

    static int mapLookupElem(int fd, MemorySegment key, MemorySegment value) {
        try {
            return (int) MapLookupElemCall.HANDLE.invokeExact(fd, key, value);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapUpdateElem(int fd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) MapUpdateElemCall.HANDLE.invokeExact(fd, key, value, flags);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapDeleteElem(int fd, MemorySegment key) {
        try {
            return (int) MapDeleteElemCall.HANDLE.invokeExact(fd, key);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code key} NULL asks for the first key; {@code -ENOENT} after the last. */
    static int mapGetNextKey(int fd, MemorySegment key, MemorySegment nextKey) {
        try {
            return (int) MapGetNextKeyCall.HANDLE.invokeExact(fd, key, nextKey);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int objPin(int fd, MemorySegment path) {
        try {
            return (int) ObjPinCall.HANDLE.invokeExact(fd, path);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int objGet(MemorySegment path) {
        try {
            return (int) ObjGetCall.HANDLE.invokeExact(path);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Fills {@code info}; {@code length} holds the buffer size in and the size the kernel wrote out. */
    static int objGetInfoByFd(int fd, MemorySegment info, MemorySegment length) {
        try {
            return (int) ObjGetInfoByFdCall.HANDLE.invokeExact(fd, info, length);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int progGetFdById(int id) {
        try {
            return (int) ProgGetFdByIdCall.HANDLE.invokeExact(id);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapGetFdById(int id) {
        try {
            return (int) MapGetFdByIdCall.HANDLE.invokeExact(id);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** A new map's fd, or {@code -errno}. */
    static int mapCreate(int type, MemorySegment name, int keySize, int valueSize, int maxEntries, MemorySegment opts) {
        try {
            return (int) MapCreateCall.HANDLE.invokeExact(type, name, keySize, valueSize, maxEntries, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int progTestRunOpts(int fd, MemorySegment opts) {
        try {
            return (int) ProgTestRunOptsCall.HANDLE.invokeExact(fd, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- XDP over rtnetlink (in the calling thread's network namespace) ------------------------

    static int xdpAttach(int ifindex, int progFd, int flags, MemorySegment opts) {
        try {
            return (int) XdpAttachCall.HANDLE.invokeExact(ifindex, progFd, flags, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int xdpDetach(int ifindex, int flags, MemorySegment opts) {
        try {
            return (int) XdpDetachCall.HANDLE.invokeExact(ifindex, flags, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int xdpQuery(int ifindex, int flags, MemorySegment opts) {
        try {
            return (int) XdpQueryCall.HANDLE.invokeExact(ifindex, flags, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- tc (clsact) hooks: int results, -errno on failure --------------------------------------

    static int tcHookCreate(MemorySegment hook) {
        try {
            return (int) TcHookCreateCall.HANDLE.invokeExact(hook);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int tcAttach(MemorySegment hook, MemorySegment opts) {
        try {
            return (int) TcAttachCall.HANDLE.invokeExact(hook, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int tcDetach(MemorySegment hook, MemorySegment opts) {
        try {
            return (int) TcDetachCall.HANDLE.invokeExact(hook, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- library -------------------------------------------------------------------------------

    /** Installs {@code printFn} as libbpf's print callback; returns the previous one. */
    static MemorySegment setPrint(MemorySegment printFn) {
        try {
            return (MemorySegment) SetPrintCall.HANDLE.invokeExact(printFn);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int numPossibleCpus() {
        try {
            return (int) NumPossibleCpusCall.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * libbpf's text for an error: it knows its own codes (4000 and up, e.g. "Invalid BPF object
     * format") besides the errno values {@code strerror} knows.
     */
    static String strerror(int errno) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(256);
            int r = (int) StrerrorCall.HANDLE.invokeExact(errno, buffer, buffer.byteSize());
            String text = buffer.getString(0);
            return r < 0 && text.isEmpty() ? "unknown error " + errno : text;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static String cString(MemorySegment pointer) {
        return MemorySegment.NULL.equals(pointer) ? "" : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
