package io.splitplane.kernel.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import io.splitplane.kernel.xdp.XskRedirectProgram;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NAPI settings through the netdev generic netlink family, on a veth inside a namespace (veth has a
 * NAPI while an XDP program is attached). Values written through the namespace's own sysfs must be
 * what NAPI_GET reads, and values set with NAPI_SET must be what it reads next.
 */
class NetdevGenlSocketTest {
    @Test
    void readsAndSetsTheNapiOfAVethWithXdp() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String ns = net.namespace("g");
            TestNetwork.Veth veth = net.veth(ns, ns);
            try (NetNamespace namespace = NetNamespace.open(ns);
                 RtnetlinkSocket rt = RtnetlinkSocket.open(namespace);
                 NetdevGenlSocket genl = NetdevGenlSocket.open(namespace)) {
                int ifindex = rt.ifindex(veth.a());
                int plain = rt.ifindex(veth.b());
                assertEquals(List.of(), genl.napis(plain), "a veth without XDP or GRO has no NAPI");

                try (XskRedirectProgram xdp = namespace.call(() -> XskRedirectProgram.attach(ifindex, XdpMode.NATIVE))) {
                    List<Napi> napis = genl.napis(ifindex);
                    assertEquals(1, napis.size(), "one NAPI per rx queue: " + napis);
                    Napi napi = napis.getFirst();
                    assertEquals(ifindex, napi.ifindex());
                    assertTrue(napi.id() > 0, napi.toString());

                    // The device-wide sysfs knobs reach every NAPI: NAPI_GET must read them back.
                    Shell.execIn(ns, "sh", "-c", "echo 3 > /sys/class/net/" + veth.a() + "/napi_defer_hard_irqs"
                            + " && echo 150000 > /sys/class/net/" + veth.a() + "/gro_flush_timeout").orThrow();
                    Napi fromSysfs = genl.napis(ifindex).getFirst();
                    assertEquals(3, fromSysfs.deferHardIrqs());
                    assertEquals(150_000, fromSysfs.groFlushTimeoutNs());

                    Shell.execIn(ns, "sh", "-c", "echo 1 > /sys/class/net/" + veth.a() + "/threaded").orThrow();
                    assertEquals(1, genl.napis(ifindex).getFirst().threaded(), "threaded through sysfs");
                    genl.setNapiThreaded(napi.id(), false);
                    assertEquals(0, genl.napis(ifindex).getFirst().threaded(), "softirq through NAPI_SET");

                    genl.configureNapi(napi.id(), 5, 5_000_000_000L);
                    Napi set = genl.napis(ifindex).getFirst();
                    assertEquals(5, set.deferHardIrqs());
                    assertEquals(5_000_000_000L, set.groFlushTimeoutNs(), "a timeout above 2^32 ns takes 8 bytes");
                }

                NetlinkException missing = assertThrows(NetlinkException.class, () -> genl.configureNapi(1, 1, 1));
                assertEquals(Errno.ENOENT, missing.errno(), missing.getMessage());
                assertTrue(missing.getMessage().contains("NAPI_SET napi=1"), missing.getMessage());
                assertThrows(IllegalArgumentException.class, () -> genl.configureNapi(0, 1, 1));
                assertThrows(IllegalArgumentException.class, () -> genl.napis(0));
            }
        }
    }
}
