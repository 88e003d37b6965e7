package io.splitplane.dataplane.testing;

import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * FRR (Debian's {@code frr} 8.x) running zebra and ospfd inside one network namespace, with every
 * path of its own (config, pid files, zserv and vty sockets in a private directory), so several
 * routers run side by side on one machine without touching the host's FRR.
 *
 * <pre>{@code
 * FrrRouter r1 = FrrRouter.builder(net, ns, "1.1.1.1")
 *         .ospfInterface(link)              // fast timers: hello 1 s, dead 3 s, point-to-point
 *         .ospfNetwork("10.82.0.0/16")      // area 0
 *         .start();
 * r1.awaitOspfNeighbours(1, Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Every daemon is killed on {@link #close()} (by the pids it wrote, then by any process whose
 * command line names this router's private directory) and the directory removed; the router also
 * registers its close with the {@link TestNetwork}, so a failing test still leaves no FRR process
 * behind, and before its namespace is deleted.
 */
public final class FrrRouter implements AutoCloseable {
    private static final Path DAEMONS = Path.of("/usr/lib/frr");

    private final String namespace;
    private final Path dir;
    private boolean closed;

    private FrrRouter(String namespace, Path dir) {
        this.namespace = namespace;
        this.dir = dir;
    }

    /** Whether FRR's daemons are installed here ({@code build-tools/setup.sh} installs them). */
    public static boolean installed() {
        return Files.isExecutable(DAEMONS.resolve("zebra")) && Files.isExecutable(DAEMONS.resolve("ospfd"));
    }

    public static Builder builder(TestNetwork network, String namespace, String routerId) {
        return new Builder(network, namespace, routerId);
    }

    /** Configures and starts a router. */
    public static final class Builder {
        private final TestNetwork network;
        private final String namespace;
        private final String routerId;
        private final List<String> interfaces = new ArrayList<>();
        private final List<String> networks = new ArrayList<>();

        private Builder(TestNetwork network, String namespace, String routerId) {
            this.network = network;
            this.namespace = namespace;
            this.routerId = routerId;
        }

        /** An OSPF interface with fast timers (hello 1 s, dead 3 s) as a point-to-point link. */
        public Builder ospfInterface(String ifname) {
            interfaces.add(ifname);
            return this;
        }

        /** A network OSPF announces and runs on, in area 0. */
        public Builder ospfNetwork(String prefix) {
            networks.add(prefix);
            return this;
        }

        public FrrRouter start() {
            Path dir;
            try {
                // Under /run with the test prefix: the leak check reports it if it ever survives a run.
                dir = Files.createTempDirectory(Path.of("/run"), TestNetwork.PREFIX + "-frr-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            FrrRouter router = new FrrRouter(namespace, dir);
            network.onClose(router::close);
            StringBuilder conf = new StringBuilder();
            conf.append("frr defaults traditional\n");
            conf.append("hostname ").append(namespace).append('\n');
            conf.append("log file ").append(dir.resolve("frr.log")).append('\n');
            conf.append("!\n");
            for (String i : interfaces) {
                conf.append("interface ").append(i).append('\n');
                conf.append(" ip ospf network point-to-point\n");
                conf.append(" ip ospf hello-interval 1\n");
                conf.append(" ip ospf dead-interval 3\n");
                conf.append("!\n");
            }
            conf.append("router ospf\n");
            conf.append(" ospf router-id ").append(routerId).append('\n');
            conf.append(" timers throttle spf 0 50 500\n");
            for (String n : networks) {
                conf.append(" network ").append(n).append(" area 0\n");
            }
            conf.append("!\n");
            try {
                Files.writeString(dir.resolve("frr.conf"), conf.toString(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // The daemons drop to user frr: it must be able to write its pid files, sockets and log here.
            Shell.exec("chown", "-R", "frr:frr", dir.toString()).orThrow();
            router.daemon("zebra");
            router.daemon("ospfd");
            return router;
        }
    }

    private void daemon(String name) {
        Shell.Result r = Shell.execIn(namespace, DAEMONS.resolve(name).toString(), "-d",
                "-f", dir.resolve("frr.conf").toString(),
                "-i", dir.resolve(name + ".pid").toString(),
                "-z", dir.resolve("zserv.api").toString(),
                "--vty_socket", dir.toString(),
                "-P", "0",
                "-u", "frr", "-g", "frr");
        if (r.exitCode() != 0) {
            throw new IllegalStateException(name + " in " + namespace + " did not start (exit " + r.exitCode() + "): "
                    + r.stderr() + r.stdout() + log());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pid(name).isEmpty() || (name.equals("zebra") && !Files.exists(dir.resolve("zserv.api")))) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(name + " in " + namespace + " wrote no pid file: " + log());
            }
            sleep(20);
        }
    }

    /** {@code vtysh -c command} against this router. */
    public String vtysh(String command) {
        return Shell.exec("vtysh", "--vty_socket", dir.toString(), "-c", command).orThrow().stdout();
    }

    /** Waits until OSPF has {@code count} neighbours in state Full. */
    public void awaitOspfNeighbours(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String out = vtysh("show ip ospf neighbor");
            long full = out.lines().filter(l -> l.contains("Full/")).count();
            if (full >= count) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("OSPF in " + namespace + " has " + full + " full neighbours, wanted "
                        + count + ":\n" + out);
            }
            sleep(200);
        }
    }

    /** FRR's log so far (for failure messages). */
    public String log() {
        try {
            Path log = dir.resolve("frr.log");
            return Files.exists(log) ? "\n--- frr.log ---\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public String namespace() {
        return namespace;
    }

    private Optional<Long> pid(String daemon) {
        try {
            Path file = dir.resolve(daemon + ".pid");
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String text = Files.readString(file).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The pids of processes whose command line names this router's directory. */
    private List<Long> processesOfThisRouter() {
        List<Long> pids = new ArrayList<>();
        String needle = dir.toString();
        ProcessHandle.allProcesses().forEach(p -> {
            if (p.info().commandLine().map(c -> c.contains(needle)).orElse(false)
                    || p.info().arguments().map(a -> String.join(" ", a).contains(needle)).orElse(false)) {
                pids.add(p.pid());
            }
        });
        return pids;
    }

    /** Kills this router's daemons (SIGTERM, then SIGKILL), waits for them to go, removes the directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Long> pids = new ArrayList<>();
        pid("ospfd").ifPresent(pids::add);
        pid("zebra").ifPresent(pids::add);
        for (long p : processesOfThisRouter()) {
            if (!pids.contains(p)) {
                pids.add(p);
            }
        }
        for (long p : pids) {
            ProcessHandle.of(p).ifPresent(ProcessHandle::destroy);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (long p : pids) {
            Optional<ProcessHandle> h = ProcessHandle.of(p);
            while (h.isPresent() && h.get().isAlive() && System.nanoTime() - deadline < 0) {
                sleep(20);
            }
            h.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (long p : pids) {
            ProcessHandle.of(p).ifPresent(h -> {
                try {
                    h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("FRR process " + p + " of " + namespace + " survived SIGKILL", e);
                }
            });
        }
        Shell.exec("rm", "-rf", dir.toString());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
