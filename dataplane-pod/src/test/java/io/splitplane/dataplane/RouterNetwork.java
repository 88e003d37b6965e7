package io.splitplane.dataplane;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three namespaces in a line, a router in the middle that is a plain Linux router (addresses on both
 * veths, {@code ip_forward=1}, strict rp_filter) until a dataplane is started in it:
 *
 * <pre>
 *   src 10.81.1.1 ==veth== r0 10.81.1.2 [rtr] r1 10.81.2.2 ==veth== 10.81.2.1 sink
 * </pre>
 *
 * src and sink route the other's subnet via the router and resolve it by ARP (the kernel's, since the
 * classifier passes ARP). IPv6 is off everywhere (no stray router solicitations). Everything is
 * removed on close, also when a test fails.
 */
public final class RouterNetwork implements AutoCloseable {
    public static final String SRC = "10.81.1.1";
    public static final String R0 = "10.81.1.2";
    public static final String R1 = "10.81.2.2";
    public static final String SINK = "10.81.2.1";
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    public final TestNetwork net = new TestNetwork();
    public final String src;
    public final String rtr;
    public final String sink;
    /** Interface names: src's, the router's towards src and towards sink, sink's. */
    public final String s0;
    public final String r0;
    public final String r1;
    public final String k1;
    public final NetNamespace nsSrc;
    public final NetNamespace nsRtr;
    public final NetNamespace nsSink;

    public RouterNetwork() {
        try {
            src = ns("src");
            rtr = ns("rtr");
            sink = ns("sink");
            TestNetwork.Veth left = net.veth(src, rtr);
            TestNetwork.Veth right = net.veth(rtr, sink);
            s0 = left.a();
            r0 = left.b();
            r1 = right.a();
            k1 = right.b();
            Shell.ipIn(src, "addr", "add", SRC + "/24", "dev", s0);
            Shell.ipIn(rtr, "addr", "add", R0 + "/24", "dev", r0);
            Shell.ipIn(rtr, "addr", "add", R1 + "/24", "dev", r1);
            Shell.ipIn(sink, "addr", "add", SINK + "/24", "dev", k1);
            Shell.execIn(rtr, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=1",
                    "net.ipv4.conf.default.rp_filter=1", "net.ipv4.conf." + r0 + ".rp_filter=1",
                    "net.ipv4.conf." + r1 + ".rp_filter=1").orThrow();
            Shell.ipIn(src, "route", "add", "10.81.2.0/24", "via", R0);
            Shell.ipIn(sink, "route", "add", "10.81.1.0/24", "via", R1);
            // veth checksum offload would leave UDP checksums to hardware that is not there (AF_XDP
            // copies see the partial checksum): off on the senders.
            Shell.execIn(src, "ethtool", "-K", s0, "tx", "off").orThrow();
            Shell.execIn(sink, "ethtool", "-K", k1, "tx", "off").orThrow();
            nsSrc = NetNamespace.open(src);
            nsRtr = NetNamespace.open(rtr);
            nsSink = NetNamespace.open(sink);
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private String ns(String role) {
        String ns = net.namespace(role);
        Shell.execIn(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
                .orThrow();
        return ns;
    }

    /** The MAC of {@code ifname} in namespace {@code ns}. */
    public static String mac(String ns, String ifname) {
        Matcher m = MAC.matcher(Shell.ipIn(ns, "-o", "link", "show", "dev", ifname));
        if (!m.find()) {
            throw new IllegalStateException("no MAC for " + ifname);
        }
        return m.group(1);
    }

    /**
     * Starts a dataplane in the router: ports {@code left} (r0) and {@code right} (r1), copy mode, the
     * classifier on both with {@code rulesJson}, one worker, connected routes for both subnets plus
     * {@code extraRoutesJson}, and {@code neighboursJson} as static neighbours.
     */
    public Dataplane start(Path dir, String rulesJson, String extraRoutesJson, String neighboursJson) throws Exception {
        String config = """
                {
                  "name": "rtr",
                  "ports": [
                    {"name": "left", "netdev": "%s", "mode": "copy", "classifier": {"rules": %s}},
                    {"name": "right", "netdev": "%s", "mode": "copy", "classifier": {"rules": %s}}
                  ],
                  "umem": {"frames": 4096, "frameSize": 2048, "ringSize": 1024},
                  "workers": [{"ports": ["left", "right"]}],
                  "routes": [
                    {"prefix": "10.81.1.0/24", "port": "left"},
                    {"prefix": "10.81.2.0/24", "port": "right"}%s
                  ],
                  "neighbours": %s
                }""".formatted(r0, rulesJson, r1, rulesJson, extraRoutesJson.isEmpty() ? "" : ",\n" + extraRoutesJson,
                neighboursJson);
        Path file = dir.resolve("rtr.json");
        Files.writeString(file, config);
        DataplaneConfig cfg = ConfigJson.readFile(file, DataplaneConfig.class);
        return nsRtr.call(() -> Dataplane.start(cfg, file.toString()));
    }

    /**
     * Starts a dataplane in the router that mirrors the router's kernel (the netlink agent: its
     * addresses, routes and neighbours; nothing static), ports and classifier as {@link #start}.
     */
    public Dataplane startMirrored(Path dir, String rulesJson) throws Exception {
        String config = """
                {
                  "name": "rtr",
                  "ports": [
                    {"name": "left", "netdev": "%s", "mode": "copy", "classifier": {"rules": %s}},
                    {"name": "right", "netdev": "%s", "mode": "copy", "classifier": {"rules": %s}}
                  ],
                  "umem": {"frames": 4096, "frameSize": 2048, "ringSize": 1024},
                  "workers": [{"ports": ["left", "right"]}],
                  "mirror": {"kernel": true}
                }""".formatted(r0, rulesJson, r1, rulesJson);
        Path file = dir.resolve("rtr-mirrored.json");
        Files.writeString(file, config);
        DataplaneConfig cfg = ConfigJson.readFile(file, DataplaneConfig.class);
        return nsRtr.call(() -> Dataplane.start(cfg, file.toString()));
    }

    /** Static neighbour entries for src (on left) and sink (on right), as JSON. */
    public String bothNeighbours() {
        return """
                [{"ip": "%s", "mac": "%s", "port": "left"}, {"ip": "%s", "mac": "%s", "port": "right"}]"""
                .formatted(SRC, mac(src, s0), SINK, mac(sink, k1));
    }

    /** Closes {@code dp} in the router's namespace (where its attachments live). */
    public void stop(Dataplane dp) {
        if (dp != null) {
            nsRtr.run(dp::close);
        }
    }

    @Override
    public void close() {
        try {
            nsSrc.close();
            nsRtr.close();
            nsSink.close();
        } finally {
            net.close();
        }
    }
}
