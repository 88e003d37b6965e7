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

    private static final MethodHandle OBJECT_OPEN_FILE = withErrno("bpf_object__open_file",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle OBJECT_OPEN_MEM = withErrno("bpf_object__open_mem",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle OBJECT_LOAD = plain("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle OBJECT_CLOSE = plain("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle OBJECT_NEXT_PROGRAM = plain("bpf_object__next_program",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle OBJECT_NEXT_MAP = plain("bpf_object__next_map",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    private static final MethodHandle PROGRAM_NAME = plain("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle PROGRAM_FD = plain("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle PROGRAM_TYPE = plain("bpf_program__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private static final MethodHandle MAP_NAME = plain("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle MAP_FD = plain("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_TYPE = plain("bpf_map__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_KEY_SIZE = plain("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_VALUE_SIZE = plain("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_MAX_ENTRIES = plain("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_SET_MAX_ENTRIES = plain("bpf_map__set_max_entries",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private static final MethodHandle MAP_LOOKUP_ELEM = plain("bpf_map_lookup_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MAP_UPDATE_ELEM = plain("bpf_map_update_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle MAP_DELETE_ELEM = plain("bpf_map_delete_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_GET_NEXT_KEY = plain("bpf_map_get_next_key",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private static final MethodHandle OBJ_PIN = plain("bpf_obj_pin", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle OBJ_GET = plain("bpf_obj_get", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle OBJ_GET_INFO_BY_FD = plain("bpf_obj_get_info_by_fd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle PROG_GET_FD_BY_ID = plain("bpf_prog_get_fd_by_id",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MAP_GET_FD_BY_ID = plain("bpf_map_get_fd_by_id",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MAP_CREATE = plain("bpf_map_create",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle PROG_TEST_RUN_OPTS = plain("bpf_prog_test_run_opts",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    private static final MethodHandle XDP_ATTACH = plain("bpf_xdp_attach",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle XDP_DETACH = plain("bpf_xdp_detach",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle XDP_QUERY = plain("bpf_xdp_query",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private static final MethodHandle TC_HOOK_CREATE = plain("bpf_tc_hook_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle TC_ATTACH = plain("bpf_tc_attach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle TC_DETACH = plain("bpf_tc_detach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private static final MethodHandle SET_PRINT = plain("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle NUM_POSSIBLE_CPUS = plain("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = plain("libbpf_strerror",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));

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
            return (MemorySegment) OBJECT_OPEN_FILE.invokeExact(errno, path, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static MemorySegment objectOpenMem(MemorySegment errno, MemorySegment buffer, long size, MemorySegment opts) {
        try {
            return (MemorySegment) OBJECT_OPEN_MEM.invokeExact(errno, buffer, size, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int objectLoad(MemorySegment object) {
        try {
            return (int) OBJECT_LOAD.invokeExact(object);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static void objectClose(MemorySegment object) {
        try {
            OBJECT_CLOSE.invokeExact(object);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The program after {@code previous} (NULL: the first), or NULL at the end. */
    static MemorySegment nextProgram(MemorySegment object, MemorySegment previous) {
        try {
            return (MemorySegment) OBJECT_NEXT_PROGRAM.invokeExact(object, previous);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The map after {@code previous} (NULL: the first), or NULL at the end. */
    static MemorySegment nextMap(MemorySegment object, MemorySegment previous) {
        try {
            return (MemorySegment) OBJECT_NEXT_MAP.invokeExact(object, previous);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- programs and maps of an object --------------------------------------------------------

    static String programName(MemorySegment program) {
        try {
            return cString((MemorySegment) PROGRAM_NAME.invokeExact(program));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The program's fd once loaded, else {@code -errno}. */
    static int programFd(MemorySegment program) {
        try {
            return (int) PROGRAM_FD.invokeExact(program);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int programType(MemorySegment program) {
        try {
            return (int) PROGRAM_TYPE.invokeExact(program);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static String mapName(MemorySegment map) {
        try {
            return cString((MemorySegment) MAP_NAME.invokeExact(map));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The map's fd once loaded, else {@code -errno}. */
    static int mapFd(MemorySegment map) {
        try {
            return (int) MAP_FD.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapType(MemorySegment map) {
        try {
            return (int) MAP_TYPE.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapKeySize(MemorySegment map) {
        try {
            return (int) MAP_KEY_SIZE.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapValueSize(MemorySegment map) {
        try {
            return (int) MAP_VALUE_SIZE.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapMaxEntries(MemorySegment map) {
        try {
            return (int) MAP_MAX_ENTRIES.invokeExact(map);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapSetMaxEntries(MemorySegment map, int maxEntries) {
        try {
            return (int) MAP_SET_MAX_ENTRIES.invokeExact(map, maxEntries);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- bpf(2) wrappers: 0 / fd or -errno -----------------------------------------------------

    static int mapLookupElem(int fd, MemorySegment key, MemorySegment value) {
        try {
            return (int) MAP_LOOKUP_ELEM.invokeExact(fd, key, value);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapUpdateElem(int fd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) MAP_UPDATE_ELEM.invokeExact(fd, key, value, flags);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapDeleteElem(int fd, MemorySegment key) {
        try {
            return (int) MAP_DELETE_ELEM.invokeExact(fd, key);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code key} NULL asks for the first key; {@code -ENOENT} after the last. */
    static int mapGetNextKey(int fd, MemorySegment key, MemorySegment nextKey) {
        try {
            return (int) MAP_GET_NEXT_KEY.invokeExact(fd, key, nextKey);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int objPin(int fd, MemorySegment path) {
        try {
            return (int) OBJ_PIN.invokeExact(fd, path);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int objGet(MemorySegment path) {
        try {
            return (int) OBJ_GET.invokeExact(path);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Fills {@code info}; {@code length} holds the buffer size in and the size the kernel wrote out. */
    static int objGetInfoByFd(int fd, MemorySegment info, MemorySegment length) {
        try {
            return (int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int progGetFdById(int id) {
        try {
            return (int) PROG_GET_FD_BY_ID.invokeExact(id);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int mapGetFdById(int id) {
        try {
            return (int) MAP_GET_FD_BY_ID.invokeExact(id);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** A new map's fd, or {@code -errno}. */
    static int mapCreate(int type, MemorySegment name, int keySize, int valueSize, int maxEntries, MemorySegment opts) {
        try {
            return (int) MAP_CREATE.invokeExact(type, name, keySize, valueSize, maxEntries, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int progTestRunOpts(int fd, MemorySegment opts) {
        try {
            return (int) PROG_TEST_RUN_OPTS.invokeExact(fd, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- XDP over rtnetlink (in the calling thread's network namespace) ------------------------

    static int xdpAttach(int ifindex, int progFd, int flags, MemorySegment opts) {
        try {
            return (int) XDP_ATTACH.invokeExact(ifindex, progFd, flags, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int xdpDetach(int ifindex, int flags, MemorySegment opts) {
        try {
            return (int) XDP_DETACH.invokeExact(ifindex, flags, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int xdpQuery(int ifindex, int flags, MemorySegment opts) {
        try {
            return (int) XDP_QUERY.invokeExact(ifindex, flags, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- tc (clsact) hooks: int results, -errno on failure --------------------------------------

    static int tcHookCreate(MemorySegment hook) {
        try {
            return (int) TC_HOOK_CREATE.invokeExact(hook);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int tcAttach(MemorySegment hook, MemorySegment opts) {
        try {
            return (int) TC_ATTACH.invokeExact(hook, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int tcDetach(MemorySegment hook, MemorySegment opts) {
        try {
            return (int) TC_DETACH.invokeExact(hook, opts);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    // ---- library -------------------------------------------------------------------------------

    /** Installs {@code printFn} as libbpf's print callback; returns the previous one. */
    static MemorySegment setPrint(MemorySegment printFn) {
        try {
            return (MemorySegment) SET_PRINT.invokeExact(printFn);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static int numPossibleCpus() {
        try {
            return (int) NUM_POSSIBLE_CPUS.invokeExact();
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
            int r = (int) STRERROR.invokeExact(errno, buffer, buffer.byteSize());
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
