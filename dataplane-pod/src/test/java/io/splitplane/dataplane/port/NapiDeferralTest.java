package io.splitplane.dataplane.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netlink.Napi;
import io.splitplane.kernel.netlink.NetdevGenlSocket;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import io.splitplane.kernel.xdp.XskRedirectProgram;
import org.junit.jupiter.api.Test;

/** Deferral applied to a veth's NAPI while it has XDP, and the values it found put back on close. */
class NapiDeferralTest {
    @Test
    void setsEveryNapiAndRestoresWhatItFound() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String ns = net.namespace("n");
            TestNetwork.Veth veth = net.veth(ns, ns);
            try (NetNamespace namespace = NetNamespace.open(ns);
                 RtnetlinkSocket rt = RtnetlinkSocket.open(namespace);
                 NetdevGenlSocket genl = NetdevGenlSocket.open(namespace)) {
                int ifindex = rt.ifindex(veth.a());
                IllegalStateException noNapi = assertThrows(IllegalStateException.class,
                        () -> namespace.call(() -> NapiDeferral.apply(veth.a(), 2, 200_000, false)));
                assertTrue(noNapi.getMessage().contains("has no NAPI"), noNapi.getMessage());

                try (XskRedirectProgram xdp = namespace.call(() -> XskRedirectProgram.attach(ifindex, XdpMode.NATIVE))) {
                    Shell.execIn(ns, "sh", "-c", "echo 1 > /sys/class/net/" + veth.a() + "/napi_defer_hard_irqs"
                            + " && echo 1000 > /sys/class/net/" + veth.a() + "/gro_flush_timeout"
                            + " && echo 1 > /sys/class/net/" + veth.a() + "/threaded").orThrow();
                    NapiDeferral deferral = namespace.call(() -> NapiDeferral.apply(veth.a(), 3, 500_000, false));
                    Napi held = genl.napis(ifindex).getFirst();
                    assertEquals(3, held.deferHardIrqs());
                    assertEquals(500_000, held.groFlushTimeoutNs());
                    assertEquals(0, held.threaded(), "moved to softirq while held");
                    assertEquals(1, deferral.previous().getFirst().deferHardIrqs());

                    namespace.run(deferral::close);
                    Napi restored = genl.napis(ifindex).getFirst();
                    assertEquals(1, restored.deferHardIrqs());
                    assertEquals(1000, restored.groFlushTimeoutNs());
                    assertEquals(1, restored.threaded(), "threaded again, as found");
                }
            }
        }
    }
}
