package io.splitplane.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * FRR (Debian's {@code frr}: zebra + ospfd) routing in one network namespace, with its own config,
 * sockets, pid files and logs in one directory, so several routers run side by side without touching
 * the machine's own FRR. The daemons run in the foreground as children of this process (not
 * {@code -d}), so closing stops and reaps them.
 *
 * <p>OSPF runs with fast timers (hello 1 s, dead 3 s, point-to-point) on every interface it is given:
 * with FRR's defaults the first routes took 40-55 s here, with these about 6 s.
 */
public final class OspfRouter implements AutoCloseable {
    private static final String FRR = "/usr/lib/frr/";

    private final String namespace;
    private final Path dir;
    private final List<Process> daemons = new ArrayList<>();

    private OspfRouter(String namespace, Path dir) {
        this.namespace = namespace;
        this.dir = dir;
    }

    /**
     * Writes the config and starts zebra, then ospfd, in {@code namespace}.
     *
     * @param dir        an empty directory for this router (config, zserv socket, vty sockets, logs)
     * @param routerId   the OSPF router id
     * @param interfaces the interfaces OSPF speaks on (fast timers, point-to-point)
     * @param networks   prefixes put into area 0 ({@code network ... area 0})
     */
    public static OspfRouter start(String namespace, Path dir, String routerId, List<String> interfaces,
                                   List<String> networks) {
        if (!Files.isExecutable(Path.of(FRR + "zebra")) || !Files.isExecutable(Path.of(FRR + "ospfd"))) {
            throw new IllegalStateException("FRR is not installed (" + FRR + "zebra, ospfd): apt-get install frr");
        }
        StringBuilder conf = new StringBuilder("frr defaults traditional\nhostname ").append(namespace).append('\n');
        for (String ifname : interfaces) {
            conf.append("interface ").append(ifname).append('\n')
                    .append(" ip ospf network point-to-point\n")
                    .append(" ip ospf hello-interval 1\n")
                    .append(" ip ospf dead-interval 3\n");
        }
        conf.append("router ospf\n ospf router-id ").append(routerId).append('\n');
        for (String net : networks) {
            conf.append(" network ").append(net).append(" area 0\n");
        }
        OspfRouter router = new OspfRouter(namespace, dir);
        try {
            Files.writeString(dir.resolve("frr.conf"), conf);
            // The daemons drop to user frr: the directory (sockets, pid files) must be theirs.
            Commands.exec(10, "chown", "-R", "frr:frr", dir.toString()).orThrow();
            router.daemon("zebra");
            awaitFile(dir.resolve("zserv.api"), 10_000);
            router.daemon("ospfd");
            return router;
        } catch (IOException e) {
            router.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            router.close();
            throw e;
        }
    }

    private void daemon(String name) throws IOException {
        List<String> cmd = Commands.inNamespace(namespace, FRR + name,
                "-f", dir.resolve("frr.conf").toString(),
                "-i", dir.resolve(name + ".pid").toString(),
                "-z", dir.resolve("zserv.api").toString(),
                "--vty_socket", dir.toString(),
                "-u", "frr", "-g", "frr");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        daemons.add(p);
        try {
            if (p.waitFor(300, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " in " + namespace + " exited at once (" + p.exitValue()
                        + "): " + Files.readString(dir.resolve(name + ".log")).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitFile(Path file, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (!Files.exists(file)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("zebra did not create " + file + " within " + timeoutMs + " ms");
            }
            sleep(50);
        }
    }

    /** {@code vtysh -c COMMAND} against this router's daemons. */
    public String vtysh(String command) {
        return Commands.exec(15, "vtysh", "--vty_socket", dir.toString(), "-c", command).orThrow().stdout();
    }

    /** {@code show ip ospf neighbor}, as FRR prints it. */
    public String ospfNeighbours() {
        return vtysh("show ip ospf neighbor");
    }

    /** How many OSPF neighbours are in state Full. */
    public int fullNeighbours() {
        return (int) ospfNeighbours().lines().filter(l -> l.contains(" Full/")).count();
    }

    public String namespace() {
        return namespace;
    }

    /** Whether both daemons still run. */
    public boolean running() {
        return daemons.size() == 2 && daemons.stream().allMatch(Process::isAlive);
    }

    /** Stops the daemons (SIGTERM, then SIGKILL after 5 s) and reaps them. */
    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Process p = daemons.get(i);
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        daemons.clear();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
