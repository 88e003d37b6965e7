package io.splitplane.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real tools the scenario drives (ip, ping, vtysh, iperf3), in a namespace or not. */
final class Commands {
    private Commands() {
    }

    /** What a command printed and how it ended. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException("command failed (exit " + exitCode + "): " + String.join(" ", command)
                        + "\n" + stderr.strip());
            }
            return this;
        }
    }

    static Result exec(int timeoutSeconds, String... command) {
        return exec(List.of(command), timeoutSeconds);
    }

    static Result exec(List<String> command, int timeoutSeconds) {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(command)).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        }
        try {
            p.getOutputStream().close();
            // Read both streams concurrently: a chatty command must not block on a full stderr pipe.
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p, true));
            byte[] out = readAll(p, false);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("command timed out after " + timeoutSeconds + " s: "
                        + String.join(" ", command));
            }
            return new Result(List.copyOf(command), p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static byte[] readAll(Process p, boolean stderr) {
        try {
            return (stderr ? p.getErrorStream() : p.getInputStream()).readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** {@code ip ARGS...}; throws with ip's message when it fails. */
    static String ip(String... args) {
        return exec(prepend(List.of("ip"), args), 30).orThrow().stdout();
    }

    /** {@code ip -n NS ARGS...}; throws with ip's message when it fails. */
    static String ipIn(String ns, String... args) {
        return exec(prepend(List.of("ip", "-n", ns), args), 30).orThrow().stdout();
    }

    /** {@code ip netns exec NS COMMAND...}. */
    static Result execIn(String ns, int timeoutSeconds, String... command) {
        return exec(prepend(List.of("ip", "netns", "exec", ns), command), timeoutSeconds);
    }

    /** The command line that runs {@code command} in namespace {@code ns}. */
    static List<String> inNamespace(String ns, String... command) {
        return prepend(List.of("ip", "netns", "exec", ns), command);
    }

    private static List<String> prepend(List<String> head, String[] tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
