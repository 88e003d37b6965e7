package io.splitplane.kernel.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.splitplane.kernel.netlink.InterfaceName;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The ethtool ioctl interface ({@code SIOCETHTOOL}), for the facts netlink does not carry. Works in
 * the calling thread's network namespace: the ioctl socket belongs to the namespace it was made in.
 */
public final class Ethtool {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM_CLOEXEC = 2 | 0x80000;

    private Ethtool() {
    }

    /** {@code ethtool -i IFNAME}; empty if the driver does not answer (loopback, some tunnels). */
    public static Optional<DriverInfo> driverInfo(String ifname) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = request(arena, ifname, EthtoolLayout.DRVINFO, EthtoolLayout.ETHTOOL_GDRVINFO,
                    "ETHTOOL_GDRVINFO");
            if (info == null) {
                return Optional.empty();
            }
            return Optional.of(new DriverInfo(
                    string(info, EthtoolLayout.DRV_DRIVER),
                    string(info, EthtoolLayout.DRV_VERSION),
                    string(info, EthtoolLayout.DRV_FW_VERSION),
                    string(info, EthtoolLayout.DRV_BUS_INFO)));
        }
    }

    /**
     * {@code ethtool -l IFNAME}: the queues in use, which is what AF_XDP sockets bind to (netlink's
     * {@code IFLA_NUM_RX_QUEUES} is how many were allocated). Empty if the driver does not say.
     */
    public static Optional<Channels> channels(String ifname) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ch = request(arena, ifname, EthtoolLayout.CHANNELS, EthtoolLayout.ETHTOOL_GCHANNELS,
                    "ETHTOOL_GCHANNELS");
            if (ch == null) {
                return Optional.empty();
            }
            return Optional.of(new Channels(ch.get(JAVA_INT, EthtoolLayout.CH_RX_COUNT),
                    ch.get(JAVA_INT, EthtoolLayout.CH_TX_COUNT), ch.get(JAVA_INT, EthtoolLayout.CH_COMBINED_COUNT)));
        }
    }

    /** Queue counts from {@code ETHTOOL_GCHANNELS}: rx-only, tx-only and combined channels. */
    public record Channels(int rx, int tx, int combined) {
        public int rxQueues() {
            return rx + combined;
        }

        public int txQueues() {
            return tx + combined;
        }
    }

    /** Runs one ethtool command; null when the driver does not implement it. */
    private static MemorySegment request(Arena arena, String ifname, StructLayout layout, int command, String name) {
        InterfaceName.requireValid(ifname);
        int s = Libc.socket("socket(AF_INET) for ethtool", AF_INET, SOCK_DGRAM_CLOEXEC, 0);
        try (FileDescriptor fd = new FileDescriptor(s, "ethtool socket")) {
            MemorySegment data = arena.allocate(layout);
            data.set(JAVA_INT, 0, command); // every ethtool struct starts with its u32 cmd
            MemorySegment ifr = arena.allocate(EthtoolLayout.IFREQ);
            byte[] bytes = ifname.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(bytes, 0, ifr, JAVA_BYTE, 0, bytes.length);
            ifr.set(ADDRESS, EthtoolLayout.IFR_DATA, data);
            int r = Libc.ioctl0(fd.get(), EthtoolLayout.SIOCETHTOOL, ifr);
            if (r == -Errno.EOPNOTSUPP) {
                return null;
            }
            if (r < 0) {
                throw new KernelException("ioctl(SIOCETHTOOL, " + name + ") on " + ifname, -r);
            }
            return data;
        }
    }

    private static String string(MemorySegment struct, long offset) {
        return struct.asSlice(offset, EthtoolLayout.ETHTOOL_STRING).getString(0, StandardCharsets.US_ASCII);
    }
}
