package io.splitplane.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real system tools (ip, ping, ...) that tests use to set up and to cross-check. */
public final class Shell {
    private Shell() {
    }

    /** The result of one command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException("command failed (exit " + exitCode + "): "
                        + String.join(" ", command) + "\n" + stderr.strip());
            }
            return this;
        }
    }

    /** Runs and returns stdout; throws with stderr if the command fails. */
    public static String run(String... command) {
        return exec(command).orThrow().stdout();
    }

    /** Runs and returns the whole result, success or not. */
    public static Result exec(String... command) {
        return exec(List.of(command), 60);
    }

    public static Result exec(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).start();
            p.getOutputStream().close();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("command timed out: " + String.join(" ", command));
            }
            return new Result(List.copyOf(command), p.exitValue(),
                    new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code ip ARGS...} in the host namespace. */
    public static String ip(String... args) {
        return run(prepend(new String[] {"ip"}, args));
    }

    /** {@code ip -n NS ARGS...}. */
    public static String ipIn(String namespace, String... args) {
        return run(prepend(new String[] {"ip", "-n", namespace}, args));
    }

    /** {@code ip netns exec NS COMMAND...}. */
    public static Result execIn(String namespace, String... command) {
        return exec(prepend(new String[] {"ip", "netns", "exec", namespace}, command));
    }

    private static String[] prepend(String[] head, String[] tail) {
        String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
