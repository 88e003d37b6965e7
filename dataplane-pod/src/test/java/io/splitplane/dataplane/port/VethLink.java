package io.splitplane.dataplane.port;

import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A veth pair between two fresh test namespaces, {@code 10.78.<subnet>.1/24} (A) and {@code .2} (B),
 * with IPv6 off (no stray frames), static neighbours on both sides (an AF_XDP socket on B takes
 * every frame, ARP included), and TX checksum offload off on A (frames leave A with complete
 * checksums, so turning them around in place keeps them valid).
 */
record VethLink(String nsA, String ifA, String nsB, String ifB, int ifindexB, String ipA, String ipB) {
    private static final Pattern IFINDEX = Pattern.compile("^(\\d+):");
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    static VethLink create(TestNetwork net, int subnet) {
        String a = namespace(net, "A");
        String b = namespace(net, "B");
        TestNetwork.Veth veth = net.veth(a, b);
        return configure(a, veth.a(), b, veth.b(), subnet);
    }

    /**
     * As {@link #create}, with {@code queues} receive and transmit queues on both ends (the veth is
     * made inside A; deleting the namespaces removes it).
     */
    static VethLink createMultiQueue(TestNetwork net, int subnet, int queues) {
        String a = namespace(net, "A");
        String b = namespace(net, "B");
        String ifA = net.uniqueName("a");
        String ifB = net.uniqueName("b");
        String q = Integer.toString(queues);
        Shell.ipIn(a, "link", "add", ifA, "numtxqueues", q, "numrxqueues", q, "type", "veth", "peer", "name", ifB,
                "netns", b, "numtxqueues", q, "numrxqueues", q);
        Shell.ipIn(a, "link", "set", ifA, "up");
        Shell.ipIn(b, "link", "set", ifB, "up");
        return configure(a, ifA, b, ifB, subnet);
    }

    private static VethLink configure(String a, String ifA, String b, String ifB, int subnet) {
        String ipA = "10.78." + subnet + ".1";
        String ipB = "10.78." + subnet + ".2";
        Shell.ipIn(a, "addr", "add", ipA + "/24", "dev", ifA);
        Shell.ipIn(b, "addr", "add", ipB + "/24", "dev", ifB);
        Shell.ipIn(a, "neigh", "replace", ipB, "lladdr", mac(b, ifB), "dev", ifA, "nud", "permanent");
        Shell.ipIn(b, "neigh", "replace", ipA, "lladdr", mac(a, ifA), "dev", ifB, "nud", "permanent");
        Shell.execIn(a, "ethtool", "-K", ifA, "tx", "off").orThrow();
        Matcher m = IFINDEX.matcher(Shell.ipIn(b, "-o", "link", "show", "dev", ifB));
        if (!m.find()) {
            throw new IllegalStateException("no ifindex for " + ifB);
        }
        return new VethLink(a, ifA, b, ifB, Integer.parseInt(m.group(1)), ipA, ipB);
    }

    static String namespace(TestNetwork net, String role) {
        String ns = net.namespace(role);
        Shell.execIn(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
                .orThrow();
        return ns;
    }

    static String mac(String ns, String ifname) {
        Matcher m = MAC.matcher(Shell.ipIn(ns, "-o", "link", "show", "dev", ifname));
        if (!m.find()) {
            throw new IllegalStateException("no MAC for " + ifname);
        }
        return m.group(1);
    }

    InetSocketAddress a(int port) {
        return address(ipA, port);
    }

    InetSocketAddress b(int port) {
        return address(ipB, port);
    }

    private static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
