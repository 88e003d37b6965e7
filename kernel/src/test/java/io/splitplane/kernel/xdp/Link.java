package io.splitplane.kernel.xdp;

import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A veth pair between two test namespaces, addressed {@code 10.<net>.<subnet>.1/24} (A) and
 * {@code .2} (B), with static neighbour entries on both sides (when an XSK takes queue 0, ARP
 * would never reach the kernel), IPv6 off (no stray frames), and TX checksum offload off on A (so
 * frames arrive with complete checksums the test can verify).
 */
record Link(End a, End b) {
    private static final Pattern IFINDEX = Pattern.compile("^(\\d+):");
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    /** One end: namespace, interface, its index there, MAC and IPv4 address (as a big-endian int). */
    record End(String ns, String ifname, int ifindex, byte[] mac, int ip) {
        String ipText() {
            return ((ip >>> 24) & 0xff) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
        }

        InetSocketAddress socketAddress(int port) {
            try {
                return new InetSocketAddress(InetAddress.getByName(ipText()), port);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A namespace for these tests: loopback up and IPv6 off. */
    static String namespace(TestNetwork net, String role) {
        String ns = net.namespace(role);
        Shell.execIn(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
                .orThrow();
        return ns;
    }

    static Link create(TestNetwork net, String nsA, String nsB, int subnet) {
        TestNetwork.Veth veth = net.veth(nsA, nsB);
        int base = (10 << 24) | (77 << 16) | (subnet << 8);
        End a = end(nsA, veth.a(), base | 1);
        End b = end(nsB, veth.b(), base | 2);
        for (End e : new End[] {a, b}) {
            Shell.execIn(e.ns(), "sysctl", "-qw", "net.ipv6.conf." + e.ifname() + ".disable_ipv6=1").orThrow();
            Shell.ipIn(e.ns(), "addr", "add", e.ipText() + "/24", "dev", e.ifname());
        }
        Shell.ipIn(nsA, "neigh", "replace", b.ipText(), "lladdr", mac(b.mac()), "dev", a.ifname(), "nud", "permanent");
        Shell.ipIn(nsB, "neigh", "replace", a.ipText(), "lladdr", mac(a.mac()), "dev", b.ifname(), "nud", "permanent");
        Shell.execIn(nsA, "ethtool", "-K", a.ifname(), "tx", "off").orThrow();
        return new Link(a, b);
    }

    private static End end(String ns, String ifname, int ip) {
        String line = Shell.ipIn(ns, "-o", "link", "show", "dev", ifname);
        Matcher index = IFINDEX.matcher(line);
        Matcher mac = MAC.matcher(line);
        if (!index.find() || !mac.find()) {
            throw new IllegalStateException("cannot parse: " + line);
        }
        return new End(ns, ifname, Integer.parseInt(index.group(1)), HexFormat.ofDelimiter(":").parseHex(mac.group(1)), ip);
    }

    private static String mac(byte[] mac) {
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }
}
