package io.splitplane.cni;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The CNI server as the node daemon runs it, in a process of its own ({@code splitplane.jar --serve}),
 * and a copy of the launcher with no jar next to it: an answer through that launcher can only have
 * come from the server (without it, the launcher answers code 50 "splitplane.jar not found").
 */
final class CniServerProcess implements AutoCloseable {
    final Path dir;
    final Path socket;
    final Path launcher;
    final Path log;
    private final Process process;

    CniServerProcess() {
        try {
            dir = Files.createTempDirectory("splitplane-cni-server");
            socket = dir.resolve("run").resolve("cni.sock");
            log = dir.resolve("server.log");
            Path bin = Files.createDirectory(dir.resolve("bin"));
            launcher = bin.resolve("splitplane");
            Files.copy(CniCall.LAUNCHER, launcher, StandardCopyOption.COPY_ATTRIBUTES);
            Path jar = CniCall.LAUNCHER.resolveSibling("splitplane.jar");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-jar", jar.toString(), "--serve",
                    socket.toString());
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new AssertionError("the CNI server did not come up: " + log());
            }
            sleep(20);
        }
    }

    /** Runs a call through the launcher copy that can only reach the server. */
    CniCall.Answer run(Map<String, String> env, String stdin) {
        Map<String, String> e = new HashMap<>(env);
        e.put("SPLITPLANE_CNI_SOCKET", socket.toString());
        return CniCall.run(launcher, e, stdin);
    }

    /** Runs a call through the packaged launcher (jar next to it) pointed at this server's socket. */
    CniCall.Answer runWithFallback(Map<String, String> env, String stdin) {
        Map<String, String> e = new HashMap<>(env);
        e.put("SPLITPLANE_CNI_SOCKET", socket.toString());
        return CniCall.run(e, stdin);
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM, as the kubelet stops the daemon; returns the exit status. */
    int stop() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the CNI server did not stop on SIGTERM: " + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
        try {
            PoolFixture.deleteTree(dir);
        } catch (UncheckedIOException e) {
            // a socket file that survived is reported by the test that stops the server
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
