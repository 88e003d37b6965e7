package io.splitplane.dataplane.bench;

import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.util.List;
import java.util.Map;

/**
 * A namespace for the agent benchmarks: two veths the dataplane owns, {@code a} (port 0, 10.1.0.1/16)
 * and {@code b} (port 1, 10.2.0.1/16), a handle on it and a request socket inside. Removed on close.
 */
final class AgentNamespace implements AutoCloseable {
    final TestNetwork network = new TestNetwork();
    final String ns;
    final String a;
    final String b;
    final NetNamespace handle;
    final RtnetlinkSocket socket;
    final int ifindexA;
    final int ifindexB;

    AgentNamespace() {
        ns = network.namespace("bn");
        a = network.uniqueName("a");
        b = network.uniqueName("b");
        String pa = network.uniqueName("pa");
        String pb = network.uniqueName("pb");
        Shell.ipIn(ns, "link", "add", a, "type", "veth", "peer", "name", pa);
        Shell.ipIn(ns, "link", "add", b, "type", "veth", "peer", "name", pb);
        for (String l : List.of(a, b, pa, pb)) {
            Shell.ipIn(ns, "link", "set", "dev", l, "up");
        }
        Shell.ipIn(ns, "addr", "add", "10.1.0.1/16", "dev", a);
        Shell.ipIn(ns, "addr", "add", "10.2.0.1/16", "dev", b);
        handle = NetNamespace.open(ns);
        socket = RtnetlinkSocket.open(handle);
        ifindexA = socket.ifindex(a);
        ifindexB = socket.ifindex(b);
    }

    Map<String, Integer> owned() {
        return Map.of(a, 0, b, 1);
    }

    @Override
    public void close() {
        try {
            socket.close();
            handle.close();
        } finally {
            network.close();
        }
    }
}
