package io.splitplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a container runtime does with a CNI plugin: it execs the binary (here the packaged
 * {@code splitplane} launcher) in the node's network namespace with the {@code CNI_*} variables as
 * the only environment and the network config on stdin, and reads the answer from stdout.
 */
final class CniRuntime {
    /** Where Debian's reference plugins (the {@code static} IPAM delegate) live. */
    static final String CNI_PATH = "/usr/lib/cni";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One call's answer: exit status, stdout (the result or the error JSON) and stderr (the plugin's log). */
    record Answer(List<String> command, int exit, String stdout, String stderr) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new IllegalStateException("CNI answer is not JSON: [" + stdout + "]; stderr: " + stderr, e);
            }
        }

        Answer orThrow(String what) {
            if (exit != 0) {
                throw new IllegalStateException(what + " failed (exit " + exit + "): " + stdout.strip()
                        + (stderr.isBlank() ? "" : "\nplugin stderr:\n" + stderr.strip()));
            }
            return this;
        }
    }

    private final Path launcher;
    private final String nodeNamespace;

    /**
     * @param launcher      the plugin binary
     * @param nodeNamespace the node's network namespace: the plugin moves netdevs from it into pods
     */
    CniRuntime(Path launcher, String nodeNamespace) {
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException("no CNI launcher at " + launcher + ": build cni-plugin first ("
                    + "./mvnw -B package -pl cni-plugin -am), or point -Dsplitplane.cni at it");
        }
        this.launcher = launcher;
        this.nodeNamespace = nodeNamespace;
    }

    /**
     * The packaged launcher: {@code -Dsplitplane.cni}, else {@code cni-plugin/target/cni/splitplane}
     * under the working directory or its parent (the repository root or a module directory).
     */
    static Path defaultLauncher() {
        String property = System.getProperty("splitplane.cni");
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        Path relative = Path.of("cni-plugin", "target", "cni", "splitplane");
        Path cwd = Path.of("").toAbsolutePath();
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        return cwd.resolve(relative);
    }

    /** ADD: the plugin hands {@code config}'s device to the pod's {@code netns} as {@code ifname}. */
    Answer add(String containerId, String netns, String ifname, String config) {
        return call("ADD", containerId, netns, ifname, config);
    }

    /** DEL: the plugin gives the device back to the node. */
    Answer del(String containerId, String netns, String ifname, String config) {
        return call("DEL", containerId, netns, ifname, config);
    }

    private Answer call(String command, String containerId, String netns, String ifname, String config) {
        List<String> argv = List.of("/usr/sbin/ip", "netns", "exec", nodeNamespace, launcher.toString());
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv));
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(environment(command, containerId, netns, ifname));
        try {
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(config.getBytes(StandardCharsets.UTF_8));
            } catch (IOException refusedEarly) {
                // the plugin may answer before it reads stdin
            }
            String out = read(p.getInputStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("CNI " + command + " did not finish within 120 s");
            }
            return new Answer(argv, p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot exec " + launcher, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during CNI " + command, e);
        }
    }

    /** The runtime's environment for one call, and nothing else (the plugin must not need more). */
    static Map<String, String> environment(String command, String containerId, String netns, String ifname) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_PATH", CNI_PATH);
        env.put("CNI_ARGS", "IgnoreUnknown=true;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + containerId);
        return env;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
