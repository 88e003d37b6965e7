package io.splitplane.kernel.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.testing.CHeaderProbe;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TAP interfaces: the ifreq layout and constants against the headers, and a real TAP in a namespace. */
class TapDeviceTest {
    @Test
    void ifreqAndTunConstantsMatchTheHeaders() {
        Map<String, Long> c = CHeaderProbe.evaluate("#include <sys/ioctl.h>\n#include <linux/if.h>\n#include <linux/if_tun.h>\n",
                List.of("sizeof(struct ifreq)", "offsetof(struct ifreq, ifr_flags)", "IFNAMSIZ", "TUNSETIFF",
                        "IFF_TAP", "IFF_NO_PI"));
        assertEquals(c.get("sizeof(struct ifreq)"), IfReqLayout.SIZE);
        assertEquals(c.get("offsetof(struct ifreq, ifr_flags)"), IfReqLayout.FLAGS);
        assertEquals(c.get("IFNAMSIZ"), (long) IfReqLayout.IFNAMSIZ);
        assertEquals(c.get("TUNSETIFF"), TapDevice.TUNSETIFF);
        assertEquals(c.get("IFF_TAP"), (long) TapDevice.IFF_TAP);
        assertEquals(c.get("IFF_NO_PI"), (long) TapDevice.IFF_NO_PI);
    }

    @Test
    void aTapLivesAsLongAsItsDescriptorAndTakesFramesOnlyWhenUp() {
        try (TestNetwork net = new TestNetwork()) {
            String nsName = net.namespace("tap");
            String name = net.uniqueName("t");
            try (NetNamespace ns = NetNamespace.open(nsName)) {
                ns.run(() -> {
                    try (TapDevice tap = TapDevice.create(name); Arena arena = Arena.ofConfined();
                         RtnetlinkSocket rtnl = RtnetlinkSocket.open()) {
                        assertEquals(tap.ifindex(), rtnl.ifindex(name));
                        MemorySegment frame = arena.allocate(60);
                        frame.fill((byte) 0xFF); // broadcast, whatever follows
                        assertEquals(-Errno.EIO, tap.write(frame.address(), 60), "a down TAP refuses frames");
                        rtnl.setUp(tap.ifindex(), true);
                        assertEquals(60, tap.write(frame.address(), 60));
                        KernelException twice = assertThrows(KernelException.class, () -> TapDevice.create(name));
                        assertEquals(Errno.EBUSY, twice.errno());
                    }
                });
            }
            assertFalse(Shell.ipIn(nsName, "-o", "link").contains(name), "closing the descriptor removed the TAP");
            assertFalse(Shell.ip("-o", "link").contains(name), "and it never was in the root namespace");
        }
        assertThrows(IllegalArgumentException.class, () -> TapDevice.create("a-name-longer-than-15"));
    }
}
