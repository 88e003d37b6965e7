package io.splitplane.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Building blocks for FFM downcalls into C libraries (libc, libbpf): handles that capture errno,
 * and the per-thread slot the errno is captured into.
 *
 * <p>A handle made by {@link #withErrno} takes the slot as its first argument:
 * {@code MemorySegment slot = Downcalls.errnoSlot(); int r = (int) H.invokeExact(slot, ...);
 * if (r == -1) errno = Downcalls.errno(slot);}
 */
public final class Downcalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // One slot per thread: a downcall writes errno there before returning, so callers on other
    // threads never see each other's value. ThreadLocal.get() allocates nothing after the first call,
    // which keeps hot-path syscalls (AF_XDP kicks) allocation-free.
    private static final ThreadLocal<MemorySegment> SLOT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private Downcalls() {
    }

    /** libc and the other libraries the JVM already has loaded. */
    public static SymbolLookup libc() {
        return LINKER.defaultLookup();
    }

    /** A downcall handle whose first parameter is the errno slot. */
    public static MethodHandle withErrno(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                         Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(find(lookup, name), descriptor, options);
    }

    /** A downcall handle for a function whose errno nobody reads. */
    public static MethodHandle plain(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                     Linker.Option... options) {
        return LINKER.downcallHandle(find(lookup, name), descriptor, options);
    }

    /** An upcall stub (a C function pointer that calls {@code target}), valid as long as {@code arena}. */
    public static MemorySegment upcall(MethodHandle target, FunctionDescriptor descriptor, Arena arena) {
        return LINKER.upcallStub(target, descriptor, arena);
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no native symbol " + name));
    }

    /** The calling thread's errno slot. */
    public static MemorySegment errnoSlot() {
        return SLOT.get();
    }

    /** The errno captured into {@code slot} by the last downcall that used it. */
    public static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    /** Rethrows what {@code MethodHandle.invokeExact} threw; downcalls themselves throw nothing checked. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
