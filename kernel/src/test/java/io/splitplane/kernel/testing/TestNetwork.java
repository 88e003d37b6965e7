package io.splitplane.kernel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Namespaces, veth pairs and bpffs mounts for one test, made with the real {@code ip} and
 * {@code mount}, all with unique names starting with {@link #PREFIX}, and all removed on
 * {@link #close()} in reverse order even when the test failed. Use in try-with-resources or from
 * {@code @AfterEach}.
 *
 * <p>{@code build-tools/check-clean.sh} fails the test run if anything with the prefix outlives it.
 */
public final class TestNetwork implements AutoCloseable {
    /** Every namespace, link and mount made by tests starts with this. */
    public static final String PREFIX = "spt";

    private final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    private final Deque<Runnable> undo = new ArrayDeque<>();
    private int counter;

    /** A unique name for a link or namespace, at most 15 characters (IFNAMSIZ - 1). */
    public String uniqueName(String role) {
        String base = PREFIX + id + (counter++);
        String name = base + role;
        return name.length() <= 15 ? name : name.substring(0, 15);
    }

    /** Creates a network namespace with loopback up; returns its name. */
    public String namespace(String role) {
        String name = uniqueName(role);
        Shell.ip("netns", "add", name);
        undo.push(() -> Shell.exec("ip", "netns", "del", name));
        Shell.ipIn(name, "link", "set", "lo", "up");
        return name;
    }

    /** A veth pair: {@code a} in namespace {@code nsA}, {@code b} in {@code nsB} (null = host). */
    public record Veth(String a, String nsA, String b, String nsB) {
    }

    /** Creates a veth pair, moves each end to its namespace (null = stay in host) and sets both up. */
    public Veth veth(String nsA, String nsB) {
        String a = uniqueName("a");
        String b = uniqueName("b");
        Shell.ip("link", "add", a, "type", "veth", "peer", "name", b);
        // Deleting one end deletes both; ignore failure when a namespace deletion already took it.
        undo.push(() -> {
            Shell.exec("ip", "link", "del", a);
            if (nsA != null) {
                Shell.exec("ip", "-n", nsA, "link", "del", a);
            }
            if (nsB != null) {
                Shell.exec("ip", "-n", nsB, "link", "del", b);
            }
        });
        if (nsA != null) {
            Shell.ip("link", "set", a, "netns", nsA);
        }
        if (nsB != null) {
            Shell.ip("link", "set", b, "netns", nsB);
        }
        up(nsA, a);
        up(nsB, b);
        return new Veth(a, nsA, b, nsB);
    }

    private static void up(String ns, String link) {
        if (ns == null) {
            Shell.ip("link", "set", link, "up");
        } else {
            Shell.ipIn(ns, "link", "set", link, "up");
        }
    }

    /**
     * Mounts a fresh bpffs under /run (not /sys/fs/bpf: {@code ip netns exec} remounts /sys and would
     * hide it) and returns the mount point.
     */
    public Path bpffs() {
        Path dir = Path.of("/run", uniqueName("bpf"));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        undo.push(() -> {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // reported by check-clean.sh if it stays
            }
        });
        Shell.run("mount", "-t", "bpf", "bpf", dir.toString());
        undo.push(() -> Shell.exec("umount", "-l", dir.toString()));
        return dir;
    }

    /** Registers extra cleanup, run in reverse order with the rest. */
    public void onClose(Runnable action) {
        undo.push(action);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
