package io.splitplane.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A container as the runtime starts it, on plain Linux: a process in the pod's network namespace
 * and in a mount namespace of its own, whose {@code /run} is the pod's directory (as a container has
 * a /run of its own) with Allocate's mounts bound into it ({@code ip netns exec POD unshare -m}, then
 * {@code mount --bind HOST PODDIR/...} for each and {@code mount --rbind PODDIR/run /run}, then exec),
 * with Allocate's environment. Its program here is {@link VrouterPod}, in a JVM of its own.
 *
 * <p>The command line carries {@code -Dsplitplane.e2e.pod=DIR} with the pod's host directory, and
 * the pid is written there, so a later run can find a container a killed run left behind.
 */
final class PodContainer implements AutoCloseable {
    /** A container's mounts all go under its own /run; that is where Allocate's paths are. */
    static final Path CONTAINER_RUN = Path.of("/run");

    private final Path dir;
    private final Process process;
    private final Path log;

    private PodContainer(Path dir, Process process, Path log) {
        this.dir = dir;
        this.process = process;
        this.log = log;
    }

    /**
     * The host directory that is the container's {@code /run}, for a container path under it (e.g.
     * its config file at /run/splitplane/vrouter1.json).
     */
    static Path hostPath(Path podDir, Path containerPath) {
        if (!containerPath.startsWith(CONTAINER_RUN)) {
            throw new IllegalArgumentException("container path " + containerPath + " is not under " + CONTAINER_RUN
                    + ", the only directory this container has of its own");
        }
        return podDir.resolve("run").resolve(CONTAINER_RUN.relativize(containerPath).toString());
    }

    /**
     * Starts {@code mainClass} with {@code args} in a JVM inside the container.
     *
     * @param netns  the pod's network namespace (name under /run/netns)
     * @param podDir the pod's host directory ({@code run/} in it becomes the container's /run)
     * @param env    the environment Allocate returned (added to a minimal one)
     * @param mounts Allocate's mounts, applied in the container before the program starts
     */
    static PodContainer start(String netns, Path podDir, Map<String, String> env, List<NodeHandover.Mount> mounts,
                              String mainClass, List<String> args) {
        StringBuilder script = new StringBuilder("set -e\n");
        try {
            Files.createDirectories(podDir.resolve("run"));
            for (NodeHandover.Mount m : mounts) {
                Path target = hostPath(podDir, m.containerPath());
                Files.createDirectories(target);
                script.append("mount --bind ").append(quoted(m.hostPath())).append(' ').append(quoted(target))
                        .append('\n');
                if (m.readOnly()) {
                    script.append("mount -o remount,bind,ro ").append(quoted(target)).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        script.append("mount --rbind ").append(quoted(podDir.resolve("run"))).append(' ').append(CONTAINER_RUN)
                .append('\n');
        script.append("exec \"$@\"\n");

        List<String> command = new ArrayList<>(List.of("/usr/sbin/ip", "netns", "exec", netns,
                "/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script.toString(), "sh"));
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // Serial GC: the dataplane allocates nothing per packet, and no GC threads of its own then
        // compete with the graph worker for the machine's CPUs.
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-XX:+UseSerialGC", "-Dsplitplane.e2e.pod=" + podDir,
                "-Dsplitplane.log.level=" + System.getProperty("splitplane.log.level", "info"),
                "-cp", absoluteClassPath(), mainClass));
        command.addAll(args);
        Path log = podDir.resolve("container.log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
            Files.writeString(podDir.resolve("container.pid"), Long.toString(p.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the container in " + netns, e);
        }
        return new PodContainer(podDir, p, log);
    }

    /** {@code path} in single quotes for the shell; a path with a quote of its own is refused. */
    private static String quoted(Path path) {
        String p = path.toString();
        if (p.indexOf('\'') >= 0) {
            throw new IllegalArgumentException("a mount path with a quote in it: " + p);
        }
        return "'" + p + "'";
    }

    /** This JVM's class path with every entry absolute (the demo may be started with a relative jar path). */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Waits until {@code ready} holds, failing with the container's output if it exits first or
     * {@code timeoutSeconds} pass.
     */
    void awaitReady(int timeoutSeconds, String what, BooleanSupplier ready) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the container exited (status " + process.exitValue() + ") before "
                        + what + ":\n" + output());
            }
            try {
                if (ready.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // e.g. its control socket is not there yet
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s waiting for " + what
                        + "; the container's output:\n" + output());
            }
            OspfRouter.sleep(100);
        }
    }

    /** What the container printed so far (stdout and stderr). */
    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, as the runtime stops a container; SIGKILL after 20 s. Returns the exit status. */
    int stop() {
        if (process.isAlive()) {
            process.destroy();
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(dir.resolve("container.pid"));
        } catch (IOException ignored) {
            // the lab removes the directory
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public void close() {
        stop();
    }
}
