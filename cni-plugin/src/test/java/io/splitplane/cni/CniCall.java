package io.splitplane.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code splitplane} launcher exactly as a container runtime does: a fresh process
 * with the {@code CNI_*} environment (and nothing else of the test's), the network config on stdin,
 * the answer read from stdout and the log from stderr.
 */
final class CniCall {
    static final Path LAUNCHER = Path.of(System.getProperty("cni.dir", "target/cni"), "splitplane");
    static final String CNI_PATH = "/usr/lib/cni";
    /**
     * Where the launcher looks for the node daemon's socket unless a test says otherwise: nowhere, so
     * a daemon that happens to run on the machine never answers a test that means the JVM path.
     */
    static final String NO_SERVER = "/nonexistent/splitplane-cni.sock";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the plugin answered. */
    record Answer(int exit, String stdout, String stderr) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: [" + stdout + "]; stderr: " + stderr, e);
            }
        }

        /** The error code; fails if this is not an error answer. */
        int code() {
            if (exit == 0) {
                throw new AssertionError("expected an error, got exit 0 with [" + stdout + "]; stderr: " + stderr);
            }
            return json().path("code").asInt(-1);
        }

        Answer ok() {
            if (exit != 0) {
                throw new AssertionError("plugin failed (exit " + exit + "): " + stdout + "\nstderr:\n" + stderr);
            }
            return this;
        }

        @Override
        public String toString() {
            return "exit " + exit + ", stdout " + stdout + ", stderr " + stderr;
        }
    }

    private CniCall() {
    }

    static Answer run(Map<String, String> env, String stdin) {
        return run(LAUNCHER, env, stdin);
    }

    static Answer run(Path launcher, Map<String, String> env, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(launcher.toString());
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        e.put("SPLITPLANE_CNI_SOCKET", NO_SERVER);
        e.putAll(env);
        try {
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the plugin may refuse before reading stdin
            }
            String out = read(p.getInputStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("plugin did not finish within 120 s");
            }
            return new Answer(p.exitValue(), out.strip(), err.join());
        } catch (IOException e2) {
            throw new UncheckedIOException(e2);
        } catch (InterruptedException e2) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e2);
        }
    }

    /** The environment of a per-container command. */
    static Map<String, String> env(String command, String containerId, String netns, String ifname) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
        }
        if (netns != null) {
            env.put("CNI_NETNS", netns);
        }
        if (ifname != null) {
            env.put("CNI_IFNAME", ifname);
        }
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
