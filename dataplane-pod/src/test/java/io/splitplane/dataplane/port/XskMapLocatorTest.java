package io.splitplane.dataplane.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.bpf.Classifier;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * xskMap "auto": two classifiers pinned under per-netdev directories named by another name than the
 * netdevs have in the pod (as the CNI plugin pins them by host name and renames the link); the
 * locator picks the one attached to the asked netdev of the calling namespace.
 */
class XskMapLocatorTest {
    @Test
    void findsThePinnedClassifierAttachedToTheNetdevHere() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String ns = net.namespace("loc");
            TestNetwork.Veth first = net.veth(ns, ns);
            TestNetwork.Veth second = net.veth(ns, ns);
            Path root = net.bpffs();
            try (NetNamespace pod = NetNamespace.open(ns);
                 Classifier a = pod.call(() -> attachAndPin(first.a(), root.resolve("host-eth1")));
                 Classifier b = pod.call(() -> attachAndPin(second.a(), root.resolve("host-eth2")))) {
                assertEquals(root.resolve("host-eth1").resolve(Classifier.XSKS_MAP_PIN),
                        pod.call(() -> XskMapLocator.find(root, first.a())));
                assertEquals(root.resolve("host-eth2").resolve(Classifier.XSKS_MAP_PIN),
                        pod.call(() -> XskMapLocator.find(root, second.a())));

                IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                        () -> pod.call(() -> XskMapLocator.find(root, first.b())));
                assertTrue(none.getMessage().contains("no classifier under " + root + " is attached to netdev '"
                        + first.b() + "'"), none.getMessage());
                assertTrue(none.getMessage().contains("[host-eth1, host-eth2]"), none.getMessage());
                // The same ifindex in another namespace is not a match.
                String other = net.namespace("oth");
                Shell.ipIn(other, "link", "add", "x0", "type", "veth", "peer", "name", "x1");
                try (NetNamespace elsewhere = NetNamespace.open(other)) {
                    assertThrows(IllegalArgumentException.class, () -> elsewhere.call(() -> XskMapLocator.find(root, "x0")));
                }
            }
        }
    }

    private static Classifier attachAndPin(String netdev, Path dir) {
        Classifier c = Classifier.load();
        c.attach(netdev);
        c.pin(dir);
        return c;
    }
}
