package io.splitplane.kernel.device;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A TAP interface owned by this process: a netdev in the calling thread's network namespace whose
 * "wire" is a file descriptor. A frame {@link #write}n to the descriptor enters the kernel as if it
 * had been received on the TAP netdev ({@code tun_get_user} -&gt; {@code netif_rx}). The device is
 * not persistent: it disappears, with any qdisc and filter on it, when {@link #close()} closes the
 * descriptor.
 *
 * <p>Opened with {@code IFF_TAP | IFF_NO_PI} (frames are plain Ethernet, no packet-info prefix) and
 * {@code O_NONBLOCK} (a write never blocks a caller's loop).
 */
public final class TapDevice implements AutoCloseable {
    /** linux/if_tun.h: {@code _IOW('T', 202, int)}. */
    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;

    private final FileDescriptor fd;
    private final String name;
    private final int ifindex;

    private TapDevice(FileDescriptor fd, String name, int ifindex) {
        this.fd = fd;
        this.name = name;
        this.ifindex = ifindex;
    }

    /**
     * Creates TAP interface {@code name} (at most 15 bytes) in the calling thread's network namespace.
     * It starts down; bring it up through rtnetlink before writing (the kernel refuses writes to a
     * down TAP with EIO).
     */
    public static TapDevice create(String name) {
        Objects.requireNonNull(name, "name");
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= IfReqLayout.IFNAMSIZ) {
            throw new IllegalArgumentException("TAP name '" + name + "' must be 1.." + (IfReqLayout.IFNAMSIZ - 1) + " bytes");
        }
        int raw = Libc.open0("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
        if (raw < 0) {
            throw new KernelException("open(/dev/net/tun)", -raw, -raw == Errno.ENOENT
                    ? "no TUN/TAP support (module tun not loaded, or /dev/net/tun missing)" : null);
        }
        FileDescriptor fd = new FileDescriptor(raw, "TAP " + name);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IfReqLayout.LAYOUT);
            MemorySegment.copy(bytes, 0, ifr, JAVA_BYTE, IfReqLayout.NAME, bytes.length);
            ifr.set(JAVA_SHORT, IfReqLayout.FLAGS, (short) (IFF_TAP | IFF_NO_PI));
            int r = Libc.ioctl0(raw, TUNSETIFF, ifr);
            if (r < 0) {
                throw new KernelException("ioctl(TUNSETIFF, '" + name + "')", -r,
                        -r == Errno.EBUSY ? "an interface of that name exists" : null);
            }
            int ifindex = Libc.ifNameToIndex0(name);
            if (ifindex < 0) {
                throw new KernelException("if_nametoindex(" + name + ")", -ifindex);
            }
            return new TapDevice(fd, name, ifindex);
        } catch (RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** The interface index (in the namespace it was created in). */
    public int ifindex() {
        return ifindex;
    }

    /** The descriptor number, for hot-path writes through {@link #write(long, int)}. */
    public int fd() {
        return fd.get();
    }

    /**
     * Injects one Ethernet frame of {@code length} bytes at native {@code address} (which the caller
     * keeps mapped). Returns the bytes written or {@code -errno} (EAGAIN: the TAP's queue is full;
     * EIO: the TAP is down). Allocation-free.
     */
    public long write(long address, int length) {
        return Libc.writeAddress0(fd.get(), address, length);
    }

    /** Closes the descriptor: the interface and everything attached to it disappear. Idempotent. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "TapDevice[" + name + ", ifindex " + ifindex + "]";
    }
}
