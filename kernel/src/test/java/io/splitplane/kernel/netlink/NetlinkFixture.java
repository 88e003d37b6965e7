package io.splitplane.kernel.netlink;

import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One test's world: a fresh namespace from {@link TestNetwork}, a handle on it and a request
 * socket inside it. Closing it closes the socket and handle, then removes the namespace (and with
 * it every link and route the test made), also when the test failed.
 */
final class NetlinkFixture implements AutoCloseable {
    final TestNetwork network = new TestNetwork();
    final String ns;
    final NetNamespace handle;
    final RtnetlinkSocket socket;

    NetlinkFixture() {
        NetNamespace opened = null;
        try {
            ns = network.namespace("n");
            opened = NetNamespace.open(ns);
            handle = opened;
            socket = RtnetlinkSocket.open(handle);
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            network.close();
            throw e;
        }
    }

    /** A unique link name for this test. */
    String name(String role) {
        return network.uniqueName(role);
    }

    /** {@code ip -n ns args...}, failing the test if it fails. */
    String ip(String... args) {
        return Shell.ipIn(ns, args);
    }

    /** A veth pair inside the namespace, both ends up; returns the ifindex of the first end. */
    int vethUp(String a, String b) {
        ip("link", "add", a, "type", "veth", "peer", "name", b);
        ip("link", "set", a, "up");
        ip("link", "set", b, "up");
        return socket.ifindex(a);
    }

    static InetAddress addr(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } finally {
            try {
                handle.close();
            } finally {
                network.close();
            }
        }
    }
}
