package io.splitplane.dataplane.graph;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.sys.Downcalls;
import io.splitplane.kernel.sys.KernelException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.BitSet;

/**
 * Pins the calling thread to CPUs: {@code sched_setaffinity(0, sizeof(cpu_set_t), &set)} through
 * FFM ({@code pid 0} is the calling thread). A worker pins itself when it starts, so the kernel
 * never migrates it away from its caches and its NIC queue's CPU.
 *
 * <p>{@code cpu_set_t} is glibc's fixed 1024-bit mask (128 bytes, bit {@code n} of byte
 * {@code n/8} is CPU {@code n}).
 */
public final class CpuAffinity {
    /** glibc's {@code CPU_SETSIZE}. */
    public static final int CPU_SETSIZE = 1024;
    private static final long SET_BYTES = CPU_SETSIZE / 8;

    private static final MethodHandle SET = Downcalls.withErrno(Downcalls.libc(), "sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle GET = Downcalls.withErrno(Downcalls.libc(), "sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));

    private CpuAffinity() {
    }

    /**
     * Restricts the calling thread to {@code cpus}.
     *
     * @throws IllegalArgumentException for an empty set or a CPU outside 0..1023
     * @throws KernelException naming {@code sched_setaffinity} (EINVAL: none of the CPUs is online
     *         or allowed by the cpuset)
     */
    public static void pinCurrentThread(BitSet cpus) {
        if (cpus.isEmpty() || cpus.length() > CPU_SETSIZE) {
            throw new IllegalArgumentException("cpus=" + cpus + " must name CPUs in 0.." + (CPU_SETSIZE - 1));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(SET_BYTES, 8);
            byte[] bits = cpus.toByteArray();
            MemorySegment.copy(MemorySegment.ofArray(bits), 0, set, 0, bits.length);
            MemorySegment errno = Downcalls.errnoSlot();
            int r;
            try {
                r = (int) SET.invokeExact(errno, 0, SET_BYTES, set);
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
            if (r != 0) {
                throw new KernelException("sched_setaffinity", Downcalls.errno(errno), "cpus=" + cpus);
            }
        }
    }

    /** {@link #pinCurrentThread(BitSet)} to one CPU. */
    public static void pinCurrentThread(int cpu) {
        BitSet set = new BitSet();
        set.set(cpu);
        pinCurrentThread(set);
    }

    /** The CPUs the calling thread may run on. */
    public static BitSet currentThread() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(SET_BYTES, 8);
            MemorySegment errno = Downcalls.errnoSlot();
            int r;
            try {
                r = (int) GET.invokeExact(errno, 0, SET_BYTES, set);
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
            if (r < 0) {
                throw new KernelException("sched_getaffinity", Downcalls.errno(errno));
            }
            return BitSet.valueOf(set.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * How many CPUs the machine has online (highest online CPU + 1), whatever this process may run
     * on: {@code Runtime.availableProcessors()} counts only the CPUs of the process's own affinity
     * mask, so under {@code taskset -c 1} it would call CPU 1 nonexistent.
     */
    public static int machineCpuCount() {
        try {
            String online = java.nio.file.Files.readString(java.nio.file.Path.of("/sys/devices/system/cpu/online")).strip();
            int highest = -1;
            for (String range : online.split(",")) {
                String last = range.contains("-") ? range.substring(range.indexOf('-') + 1) : range;
                highest = Math.max(highest, Integer.parseInt(last.strip()));
            }
            return highest + 1;
        } catch (java.io.IOException | NumberFormatException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
