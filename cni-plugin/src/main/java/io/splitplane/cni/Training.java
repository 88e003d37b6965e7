package io.splitplane.cni;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.bpf.Classifier;
import io.splitplane.bpf.ClassifierSpares;
import io.splitplane.cni.log.PluginLog;
import io.splitplane.cni.result.CniResult;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run behind the AOT cache (the build runs {@code --train} once, right after packaging
 * the jar): the paths every call takes, and ADD's up to its first kernel change, so that their
 * classes come loaded and linked from the cache. It changes nothing: VERSION, errors, config and
 * result JSON, a read-only rtnetlink dump, the network namespace handle; as root, also a spare
 * classifier's claim on a bpffs of its own, unmounted again.
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

    static void run() throws IOException {
        PluginLog.discard();
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Path state = Files.createTempDirectory("splitplane-training");
        try {
            train(sink, state);
            trainSpare(state);
        } finally {
            try (Stream<Path> files = Files.walk(state)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void train(PrintStream sink, Path state) {
        // ADD and DEL as far as they go without changing anything: a device that does not exist (ADD
        // stops at its checks, after starting the classifier load, which is closed again: nothing is
        // attached or pinned), a DEL with nothing on record (host-local, if installed, releases nothing
        // in its data directory); state and leases in a temporary directory removed afterwards.
        String probe = "{\"cniVersion\": \"1.1.0\", \"name\": \"training\", \"type\": \"splitplane\","
                + " \"deviceID\": \"sp-no-such-dev\", \"stateDir\": \"" + state + "\","
                + " \"ipam\": {\"type\": \"host-local\", \"dataDir\": \"" + state + "\","
                + " \"ranges\": [[{\"subnet\": \"10.255.0.0/24\"}]]},"
                + " \"classifier\": {\"rules\": [{\"name\": \"app\", \"action\": \"redirect\","
                + " \"protocol\": \"udp\", \"dstPorts\": \"4789\"}]}}";
        Map<String, String> probeEnv = Map.of("CNI_CONTAINERID", "training", "CNI_NETNS", "/proc/self/ns/net",
                "CNI_IFNAME", "sp-training0", "CNI_PATH", "/usr/lib/cni:/opt/cni/bin");
        for (int round = 0; round < 2; round++) {
            call(sink, with(probeEnv, "ADD"), probe);
            call(sink, with(probeEnv, "DEL"), probe);
            call(sink, with(probeEnv, "CHECK"), probe);
        }
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

    /**
     * ADD's path with a spare: one prepared, claimed, given rules and freed again, on a bpffs mounted
     * for the run in the temporary directory. Needs root (the build runs as root here and in CI);
     * without it, or without bpffs, this part is skipped and the cache holds the rest.
     */
    private static void trainSpare(Path state) {
        Path bpffs = state.resolve("bpf");
        try {
            Files.createDirectories(bpffs);
            if (!exec("mount", "-t", "bpf", "bpf", bpffs.toString())) {
                return;
            }
        } catch (IOException e) {
            return;
        }
        try {
            NetworkConfig config = ConfigJson.read(CONFIG, NetworkConfig.class, "training");
            ClassifierSpares spares = ClassifierSpares.under(bpffs);
            for (int round = 0; round < 2; round++) {
                spares.prepare();
                try (Classifier c = spares.claim(bpffs.resolve("sp-training0")).orElseThrow()) {
                    c.replaceRules(config.effectiveClassifier());
                    c.ruleNames();
                    c.attachedIfindex();
                    c.unpin();
                }
                spares.count();
                spares.sweep();
            }
        } catch (RuntimeException e) {
            // no BPF here (unprivileged, or a kernel without it): the rest of the cache stands
        } finally {
            try {
                ClassifierSpares.under(bpffs).removeAll();
            } finally {
                exec("umount", bpffs.toString());
            }
        }
    }

    private static boolean exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Map<String, String> with(Map<String, String> env, String command) {
        Map<String, String> m = new HashMap<>(env);
        m.put("CNI_COMMAND", command);
        return m;
    }

    private static void call(PrintStream sink, Map<String, String> env, String stdin) {
        new Plugin(env, sink).run(stdin.getBytes(StandardCharsets.UTF_8));
    }
}
