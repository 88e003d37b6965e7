package io.splitplane.dataplane.testing;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.dataplane.Dataplane;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A router whose graph follows its kernel: namespaces src — rtr — sink joined by two veths, the
 * dataplane running in rtr with the classifier redirecting UDP to {@link #PORT} on both router veths,
 * AF_XDP in copy mode, and {@code "mirror": {"kernel": true}}: the config has no routes or neighbours,
 * everything comes from rtr's kernel through the netlink agent. The control socket is served at the
 * path given, with a metrics endpoint on a free port inside rtr.
 *
 * <pre>
 *   src 10.81.1.1 ==veth== left 10.81.1.2 [rtr: dataplane + agent] right 10.81.2.2 ==veth== 10.81.2.1 sink
 * </pre>
 * src routes 10.81.0.0/16 via the router; permanent neighbours everywhere, so no ARP is needed.
 * Closing stops the dataplane and removes everything, also after a failure.
 */
public final class MirroredRouter implements AutoCloseable {
    public static final int PORT = 9300;
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    public final TestNetwork net = new TestNetwork();
    public final String src;
    public final String rtr;
    public final String sink;
    public final TestNetwork.Veth left;
    public final TestNetwork.Veth right;
    public final NetNamespace nsSrc;
    public final NetNamespace nsRtr;
    public final NetNamespace nsSink;
    public final Dataplane dp;

    /** Builds the namespaces and starts the dataplane named {@code name}, its config written under {@code dir}. */
    public MirroredRouter(String name, Path dir, Path controlSocket) {
        NetNamespace a = null;
        NetNamespace b = null;
        NetNamespace c = null;
        try {
            src = namespace("src");
            rtr = namespace("rtr");
            sink = namespace("snk");
            left = net.veth(src, rtr);
            right = net.veth(rtr, sink);
            Shell.ipIn(src, "addr", "add", "10.81.1.1/24", "dev", left.a());
            Shell.ipIn(rtr, "addr", "add", "10.81.1.2/24", "dev", left.b());
            Shell.ipIn(rtr, "addr", "add", "10.81.2.2/24", "dev", right.a());
            Shell.ipIn(sink, "addr", "add", "10.81.2.1/24", "dev", right.b());
            Shell.execIn(rtr, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
            Shell.ipIn(src, "route", "add", "10.81.0.0/16", "via", "10.81.1.2");
            Shell.ipIn(sink, "route", "add", "10.81.1.0/24", "via", "10.81.2.2");
            Shell.ipIn(src, "neigh", "replace", "10.81.1.2", "lladdr", mac(rtr, left.b()), "dev", left.a(), "nud",
                    "permanent");
            Shell.ipIn(sink, "neigh", "replace", "10.81.2.2", "lladdr", mac(rtr, right.a()), "dev", right.b(), "nud",
                    "permanent");
            Shell.execIn(src, "ethtool", "-K", left.a(), "tx", "off").orThrow();
            // The router's kernel is the control plane: its neighbours and routes reach the graph through the agent.
            Shell.ipIn(rtr, "neigh", "replace", "10.81.2.1", "lladdr", sinkMac(), "dev", right.a(), "nud", "permanent");
            Shell.ipIn(rtr, "neigh", "replace", "10.81.1.1", "lladdr", mac(src, left.a()), "dev", left.b(), "nud",
                    "permanent");
            String config = """
                    {
                      "name": "%s",
                      "ports": [
                        {"name": "left", "netdev": "%s", "mode": "copy", "classifier": {"rules": [
                          {"name": "app-udp", "action": "redirect", "protocol": "udp", "dstPorts": "%d"}]}},
                        {"name": "right", "netdev": "%s", "mode": "copy", "classifier": {"rules": [
                          {"name": "app-udp", "action": "redirect", "protocol": "udp", "dstPorts": "%d"}]}}
                      ],
                      "umem": {"frames": 8192, "frameSize": 2048, "ringSize": 2048},
                      "mirror": {"kernel": true},
                      "control": {"socket": "%s", "metrics": "127.0.0.1:0"}
                    }""".formatted(name, left.b(), PORT, right.a(), PORT, controlSocket);
            Path file = dir.resolve(name + ".json");
            Files.writeString(file, config);
            DataplaneConfig cfg = ConfigJson.readFile(file, DataplaneConfig.class);
            a = NetNamespace.open(src);
            b = NetNamespace.open(rtr);
            c = NetNamespace.open(sink);
            nsSrc = a;
            nsRtr = b;
            nsSink = c;
            dp = nsRtr.call(() -> Dataplane.start(cfg, file.toString()));
        } catch (IOException | RuntimeException e) {
            for (NetNamespace n : new NetNamespace[] {a, b, c}) {
                if (n != null) {
                    n.close();
                }
            }
            net.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private String namespace(String role) {
        String ns = net.namespace(role);
        Shell.execIn(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").orThrow();
        return ns;
    }

    /** The sink's MAC (the router's neighbour 10.81.2.1). */
    public String sinkMac() {
        return mac(sink, right.b());
    }

    /** The MAC of {@code ifname} in namespace {@code ns}. */
    public static String mac(String ns, String ifname) {
        Matcher m = MAC.matcher(Shell.ipIn(ns, "-o", "link", "show", "dev", ifname));
        if (!m.find()) {
            throw new IllegalStateException("no MAC for " + ifname);
        }
        return m.group(1);
    }

    /** Stops the dataplane in its namespace, then removes namespaces and links. */
    @Override
    public void close() {
        try {
            nsRtr.run(dp::close);
        } finally {
            nsSrc.close();
            nsRtr.close();
            nsSink.close();
            net.close();
        }
    }
}
