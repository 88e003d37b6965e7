package io.splitplane.kernel.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The thin errno layer over libc. Every downcall captures errno; each function comes as a pair:
 * {@code op0(...)} returns the result or {@code -errno} and never throws (for hot paths and for
 * callers that treat some errno values as answers), and {@code op(...)} throws a
 * {@link KernelException} naming the call. Constants live with the classes that use them.
 *
 * <p>Internal to the kernel module: callers outside it use the typed APIs built on it.
 */
public final class Libc {
    private static final SymbolLookup LIBC = Downcalls.libc();

    // One holder class per function: a downcall handle is linked (FFM spins its classes and stub) when
    // its function is first called, not when this class initializes, so a short-lived process (the
    // CNI plugin) pays only for the calls it makes. The JIT still sees each handle as a constant.
    private static final class SocketCall {
        static final MethodHandle HANDLE = errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class BindCall {
        static final MethodHandle HANDLE = errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class ListenCall {
        static final MethodHandle HANDLE = errnoCall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class Accept4Call {
        static final MethodHandle HANDLE = errnoCall("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }
    private static final class ConnectCall {
        static final MethodHandle HANDLE = errnoCall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class CloseCall {
        static final MethodHandle HANDLE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class SendtoCall {
        static final MethodHandle HANDLE = errnoCall("sendto",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class RecvfromCall {
        static final MethodHandle HANDLE = errnoCall("recvfrom",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class SendmsgCall {
        static final MethodHandle HANDLE = errnoCall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class RecvmsgCall {
        static final MethodHandle HANDLE = errnoCall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class SetsockoptCall {
        static final MethodHandle HANDLE = errnoCall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class GetsockoptCall {
        static final MethodHandle HANDLE = errnoCall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class GetsocknameCall {
        static final MethodHandle HANDLE = errnoCall("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class MmapCall {
        static final MethodHandle HANDLE = errnoCall("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }
    private static final class MunmapCall {
        static final MethodHandle HANDLE = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class PollCall {
        static final MethodHandle HANDLE = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class SetnsCall {
        static final MethodHandle HANDLE = errnoCall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class UnshareCall {
        static final MethodHandle HANDLE = errnoCall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class MountCall {
        static final MethodHandle HANDLE = errnoCall("mount",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    }
    private static final class Umount2Call {
        static final MethodHandle HANDLE = errnoCall("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class OpenCall {
        static final MethodHandle HANDLE = errnoCall("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    }
    private static final class IoctlCall {
        static final MethodHandle HANDLE = errnoCall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    }
    // write(2) with the buffer as a raw address (JAVA_LONG), so a hot path can write straight out of a
    // mapped region (a UMEM frame) without making a MemorySegment slice per call.
    private static final class WriteAddressCall {
        static final MethodHandle HANDLE = errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    }
    private static final class IfNametoindexCall {
        static final MethodHandle HANDLE = errnoCall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class GettidCall {
        static final MethodHandle HANDLE = plainCall("gettid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class StrerrorCall {
        static final MethodHandle HANDLE = plainCall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private Libc() {
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        return Downcalls.withErrno(LIBC, name, descriptor, extra);
    }

    private static MethodHandle plainCall(String name, FunctionDescriptor descriptor) {
        return Downcalls.plain(LIBC, name, descriptor);
    }

    private static int errno(MemorySegment capture) {
        return Downcalls.errno(capture);
    }

    private static int check(String operation, int result) {
        if (result < 0) {
            throw new KernelException(operation, -result);
        }
        return result;
    }

    private static long check(String operation, long result) {
        if (result < 0) {
            throw new KernelException(operation, (int) -result);
        }
        return result;
    }

    private static int ret(MemorySegment capture, int result) {
        return result == -1 ? -errno(capture) : result;
    }

    private static long ret(MemorySegment capture, long result) {
        return result == -1 ? -errno(capture) : result;
    }

    private static RuntimeException rethrow(Throwable t) {
        return Downcalls.rethrow(t);
    }

    // ---- sockets -------------------------------------------------------------------------------

    public static int socket0(int domain, int type, int protocol) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) SocketCall.HANDLE.invokeExact(c, domain, type, protocol));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int socket(String operation, int domain, int type, int protocol) {
        return check(operation, socket0(domain, type, protocol));
    }

    public static int bind0(int fd, MemorySegment address, int length) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) BindCall.HANDLE.invokeExact(c, fd, address, length));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void bind(String operation, int fd, MemorySegment address) {
        check(operation, bind0(fd, address, (int) address.byteSize()));
    }

    public static int listen0(int fd, int backlog) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) ListenCall.HANDLE.invokeExact(c, fd, backlog));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code accept4} without the peer address; returns the new descriptor or {@code -errno}. */
    public static int accept40(int fd, int flags) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) Accept4Call.HANDLE.invokeExact(c, fd, MemorySegment.NULL, MemorySegment.NULL, flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int connect0(int fd, MemorySegment address, int length) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) ConnectCall.HANDLE.invokeExact(c, fd, address, length));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close0(int fd) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) CloseCall.HANDLE.invokeExact(c, fd));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long sendto0(int fd, MemorySegment buffer, long length, int flags, MemorySegment address, int addressLength) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (long) SendtoCall.HANDLE.invokeExact(c, fd, buffer, length, flags, address, addressLength));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long sendto(String operation, int fd, MemorySegment buffer, long length, int flags, MemorySegment address) {
        return check(operation, sendto0(fd, buffer, length, flags, address, (int) address.byteSize()));
    }

    public static long recvfrom0(int fd, MemorySegment buffer, long length, int flags, MemorySegment address, MemorySegment addressLength) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (long) RecvfromCall.HANDLE.invokeExact(c, fd, buffer, length, flags, address, addressLength));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long sendmsg0(int fd, MemorySegment msghdr, int flags) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (long) SendmsgCall.HANDLE.invokeExact(c, fd, msghdr, flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long recvmsg0(int fd, MemorySegment msghdr, int flags) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (long) RecvmsgCall.HANDLE.invokeExact(c, fd, msghdr, flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int setsockopt0(int fd, int level, int name, MemorySegment value, int length) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) SetsockoptCall.HANDLE.invokeExact(c, fd, level, name, value, length));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setsockopt(String operation, int fd, int level, int name, MemorySegment value) {
        check(operation, setsockopt0(fd, level, name, value, (int) value.byteSize()));
    }

    /** Sets an int-valued socket option. */
    public static void setsockopt(String operation, int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            setsockopt(operation, fd, level, name, arena.allocateFrom(JAVA_INT, value));
        }
    }

    /**
     * {@code getsockopt} into {@code value}; returns the length the kernel wrote (callers that accept
     * older, shorter structs look at it).
     */
    public static int getsockopt(String operation, int fd, int level, int name, MemorySegment value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
            MemorySegment c = Downcalls.errnoSlot();
            int r;
            try {
                r = ret(c, (int) GetsockoptCall.HANDLE.invokeExact(c, fd, level, name, value, length));
            } catch (Throwable t) {
                throw rethrow(t);
            }
            check(operation, r);
            return length.get(JAVA_INT, 0);
        }
    }

    public static int getsockname(String operation, int fd, MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) address.byteSize());
            MemorySegment c = Downcalls.errnoSlot();
            int r;
            try {
                r = ret(c, (int) GetsocknameCall.HANDLE.invokeExact(c, fd, address, length));
            } catch (Throwable t) {
                throw rethrow(t);
            }
            check(operation, r);
            return length.get(JAVA_INT, 0);
        }
    }

    // ---- memory --------------------------------------------------------------------------------

    /** {@code mmap}; the returned segment is unbounded in size (callers reinterpret it). */
    public static MemorySegment mmap(String operation, long length, int protection, int flags, int fd, long offset) {
        MemorySegment c = Downcalls.errnoSlot();
        MemorySegment address;
        try {
            address = (MemorySegment) MmapCall.HANDLE.invokeExact(c, MemorySegment.NULL, length, protection, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (address.address() == -1L) {
            throw new KernelException(operation, errno(c), "length=" + length);
        }
        return address;
    }

    public static int munmap0(MemorySegment address, long length) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) MunmapCall.HANDLE.invokeExact(c, address, length));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- waiting -------------------------------------------------------------------------------

    public static int poll0(MemorySegment fds, long count, int timeoutMs) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) PollCall.HANDLE.invokeExact(c, fds, count, timeoutMs));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- namespaces, mounts, files -------------------------------------------------------------

    public static int setns0(int fd, int nsType) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) SetnsCall.HANDLE.invokeExact(c, fd, nsType));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int unshare0(int flags) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) UnshareCall.HANDLE.invokeExact(c, flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mount0(String source, String target, String type, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Downcalls.errnoSlot();
            return ret(c, (int) MountCall.HANDLE.invokeExact(c, cString(arena, source), cString(arena, target),
                    cString(arena, type), flags, MemorySegment.NULL));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int umount20(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Downcalls.errnoSlot();
            return ret(c, (int) Umount2Call.HANDLE.invokeExact(c, arena.allocateFrom(target), flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int open0(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Downcalls.errnoSlot();
            return ret(c, (int) OpenCall.HANDLE.invokeExact(c, arena.allocateFrom(path), flags, mode));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl0(int fd, long request, MemorySegment argument) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (int) IoctlCall.HANDLE.invokeExact(c, fd, request, argument));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code write(fd, address, length)} from a native address (inside a segment the caller keeps
     * alive); returns the bytes written or {@code -errno}. Allocation-free.
     */
    public static long writeAddress0(int fd, long address, long length) {
        MemorySegment c = Downcalls.errnoSlot();
        try {
            return ret(c, (long) WriteAddressCall.HANDLE.invokeExact(c, fd, address, length));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Interface index of {@code name} in the calling thread's network namespace, or {@code -errno}. */
    public static int ifNameToIndex0(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Downcalls.errnoSlot();
            int index = (int) IfNametoindexCall.HANDLE.invokeExact(c, arena.allocateFrom(name));
            return index == 0 ? -errno(c) : index;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int gettid() {
        try {
            return (int) GettidCall.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) StrerrorCall.HANDLE.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment cString(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }
}
