package io.splitplane.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The demo's lab: readable fixed names ({@code spdemo-vr1}, ...) so a user can look at it with
 * {@code ip netns} while it runs, and a start that first removes what an earlier, killed run left
 * behind (namespaces with the prefix, FRR daemons and the vRouter's container recorded in the demo's
 * pid files, the bpffs of the pins), so the demo
 * can always be run again.
 */
public final class DemoLab implements Lab {
    /** Every namespace and link of the demo starts with this. */
    public static final String PREFIX = "spdemo";
    /** Scratch directories of the demo live here. */
    public static final Path RUN = Path.of("/run", PREFIX);

    private final Deque<Runnable> undo = new ArrayDeque<>();
    private int links;

    private DemoLab() {
    }

    /** Removes the leftovers of an earlier run and returns a fresh lab. */
    public static DemoLab open() {
        removeLeftovers();
        return new DemoLab();
    }

    private static void removeLeftovers() {
        if (Files.isDirectory(RUN)) {
            // Only processes this demo started: their pid files are in its directory and their command
            // line names that directory.
            try (Stream<Path> files = Files.walk(RUN)) {
                for (Path pidFile : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                    killIfOurs(pidFile);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            unmountAll();
            deleteTree(RUN);
        }
        for (String line : Commands.ip("netns", "list").lines().toList()) {
            String ns = line.split(" ")[0];
            if (ns.startsWith(PREFIX + "-")) {
                Commands.exec(10, "ip", "netns", "del", ns);
            }
        }
    }

    private static void killIfOurs(Path pidFile) throws IOException {
        String text = Files.readString(pidFile).strip();
        if (text.isEmpty()) {
            return;
        }
        long pid = Long.parseLong(text);
        ProcessHandle.of(pid).ifPresent(p -> {
            String cmd = p.info().commandLine().orElse("");
            if (cmd.contains(RUN.toString())) {
                // SIGTERM first: a dataplane empties its map slots and detaches what it attached.
                p.destroy();
                try {
                    p.onExit().get(20, TimeUnit.SECONDS);
                } catch (Exception stillThere) {
                    p.destroyForcibly();
                }
            }
        });
    }

    /** Unmounts whatever the demo mounted under its directory (the bpffs of the pins). */
    private static void unmountAll() {
        try {
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .map(l -> l.split(" ")[1]).filter(m -> m.startsWith(RUN + "/"))
                    .sorted(Comparator.reverseOrder()).toList();
            for (String m : mounts) {
                Commands.exec(10, "umount", "-l", m);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Path bpffs() {
        Path dir = RUN.resolve("bpffs");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        undo.push(() -> deleteTree(dir));
        Commands.exec(10, "mount", "-t", "bpf", "bpf", dir.toString()).orThrow();
        undo.push(() -> Commands.exec(10, "umount", "-l", dir.toString()));
        return dir;
    }

    @Override
    public String namespace(String role) {
        String name = PREFIX + "-" + role;
        Commands.ip("netns", "add", name);
        undo.push(() -> Commands.exec(10, "ip", "netns", "del", name));
        Commands.ipIn(name, "link", "set", "lo", "up");
        return name;
    }

    @Override
    public Veth veth(String nsA, String nsB) {
        int n = links++;
        String a = PREFIX + n + "a";
        String b = PREFIX + n + "b";
        Commands.ip("link", "add", a, "type", "veth", "peer", "name", b);
        undo.push(() -> {
            Commands.exec(10, "ip", "link", "del", a);
            Commands.exec(10, "ip", "-n", nsA, "link", "del", a);
        });
        Commands.ip("link", "set", a, "netns", nsA);
        Commands.ip("link", "set", b, "netns", nsB);
        Commands.ipIn(nsA, "link", "set", a, "up");
        Commands.ipIn(nsB, "link", "set", b, "up");
        return new Veth(a, nsA, b, nsB);
    }

    @Override
    public Path directory(String role) {
        Path dir = RUN.resolve(role);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        undo.push(() -> deleteTree(dir));
        return dir;
    }

    @Override
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
        deleteTree(RUN);
        if (first != null) {
            throw first;
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            List<Path> paths = all.sorted(Comparator.reverseOrder()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root, e);
        }
    }
}
