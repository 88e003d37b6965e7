package io.splitplane.cni;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.cni.log.PluginLog;
import io.splitplane.cni.result.CniResult;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The training run behind the AOT cache (the build runs {@code --train} once, right after packaging
 * the jar): the paths every call takes, and ADD's up to its first kernel change, so that their
 * classes come loaded and linked from the cache. It changes nothing: VERSION, errors, config and
 * result JSON, a read-only rtnetlink dump, the network namespace handle.
 */
final class Training {
    private static final String CONFIG = """
            {"cniVersion": "1.1.0", "name": "training", "type": "splitplane",
             "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.255.0.0/24"}]]},
             "mtu": 1500, "xdpAttach": "native",
             "classifier": {"rules": [
               {"name": "app", "action": "redirect", "protocol": "udp", "dstPorts": "4000-4999",
                "dstPrefixes": ["10.255.0.0/24", "2001:db8::/48"]},
               {"name": "drop", "action": "drop", "srcPrefixes": ["192.0.2.0/24"]}]},
             "prevResult": {"cniVersion": "1.1.0",
               "interfaces": [{"name": "net1", "mac": "02:00:00:00:00:01", "sandbox": "/run/netns/x"}],
               "ips": [{"address": "10.255.0.2/24", "gateway": "10.255.0.1", "interface": 0}],
               "routes": [{"dst": "0.0.0.0/0"}]}}
            """;

    private Training() {
    }

    static void run() {
        PluginLog.discard();
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        for (int round = 0; round < 3; round++) {
            call(sink, Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
            call(sink, Map.of(), "{}");
            call(sink, Map.of("CNI_COMMAND", "STATUS"), "{\"cniVersion\":\"9.9.9\",\"name\":\"n\",\"type\":\"x\"}");
            call(sink, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "training", "CNI_NETNS", "/run/netns/x",
                    "CNI_IFNAME", "net1", "CNI_PATH", "/nonexistent"), CONFIG);
            call(sink, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "training", "CNI_NETNS", "/run/netns/x",
                    "CNI_IFNAME", "net1"), "{\"cniVersion\":");
            NetworkConfig config = ConfigJson.read(CONFIG, NetworkConfig.class, "training");
            CniResult result = CniResult.fromJson(config.prevResult(), "training");
            for (String v : CniVersion.SUPPORTED) {
                sink.println(result.toJson(v));
            }
            PodAddressing.routes(1, result.ips(), result.routes());
            try (NetNamespace here = NetNamespace.current(); RtnetlinkSocket socket = RtnetlinkSocket.open()) {
                sink.println(here.inode() + " " + socket.links().size());
            } catch (RuntimeException e) {
                // a build machine without netlink access still gets a cache of everything else
            }
        }
    }

    private static void call(PrintStream sink, Map<String, String> env, String stdin) {
        new Plugin(env, sink).run(stdin.getBytes(StandardCharsets.UTF_8));
    }
}
