package io.splitplane.dataplane;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.dataplane.graph.CpuAffinity;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The dataplane's entry point: {@code java -jar splitplane-dataplane-<version>-all.jar --config FILE}.
 *
 * <pre>
 *   --config FILE          dataplane config, JSON or YAML (.yaml/.yml); required
 *   --show-runtime SECONDS print the graph counters ("show runtime") every SECONDS
 *   --check                validate the config and exit (0 when valid)
 *   --help
 * </pre>
 *
 * Runs until SIGTERM or SIGINT, then stops the workers, detaches the classifiers it attached and
 * closes the sockets before the JVM exits. Exit codes: 0 clean stop (or valid config with
 * {@code --check}), 1 start failed (kernel refused something; message on stderr), 2 usage error or
 * invalid config (the {@link InvalidConfigException} message, naming the file and the field, on stderr).
 */
public final class DataplaneMain {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private static final String USAGE = """
            usage: java -jar splitplane-dataplane-all.jar --config FILE [--show-runtime SECONDS] [--check]
              --config FILE           dataplane config, JSON or YAML (.yaml/.yml)
              --show-runtime SECONDS  print the graph counters every SECONDS
              --check                 validate the config and exit""";

    private DataplaneMain() {
    }

    public static void main(String[] args) {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(30, TimeUnit.SECONDS); // let main clean up before the JVM halts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dataplane-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code;
        try {
            code = run(args, System.out, System.err, stop);
        } finally {
            stopped.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the signal's shutdown is under way: it exits with the signal's status
            return;
        }
        System.exit(code);
    }

    /**
     * Parses {@code args}, loads and starts the dataplane, and runs until {@code stop} opens; returns
     * the exit code. What {@link #main} does minus the JVM wiring, for tests.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop) {
        Path config = null;
        long showRuntimeSeconds = 0;
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--config", "-c" -> {
                    if (i + 1 >= args.length) {
                        return usage(err, "--config needs a file");
                    }
                    config = Path.of(args[++i]);
                }
                case "--show-runtime" -> {
                    if (i + 1 >= args.length) {
                        return usage(err, "--show-runtime needs a number of seconds");
                    }
                    try {
                        showRuntimeSeconds = Long.parseLong(args[++i]);
                    } catch (NumberFormatException e) {
                        return usage(err, "--show-runtime needs a number of seconds, got '" + args[i] + "'");
                    }
                    if (showRuntimeSeconds < 1) {
                        return usage(err, "--show-runtime must be at least 1 second");
                    }
                }
                case "--check" -> check = true;
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return EXIT_OK;
                }
                default -> {
                    if (a.startsWith("--config=")) {
                        config = Path.of(a.substring("--config=".length()));
                    } else {
                        return usage(err, "unknown argument '" + a + "'");
                    }
                }
            }
        }
        if (config == null) {
            return usage(err, "--config FILE is required");
        }
        DataplaneConfig cfg;
        try {
            cfg = ConfigJson.readFile(config, DataplaneConfig.class);
            cfg.checkMachine(CpuAffinity.machineCpuCount(), config.toString());
        } catch (InvalidConfigException e) {
            err.println(e.getMessage());
            return EXIT_USAGE;
        }
        if (check) {
            out.println("config " + config + " is valid: " + cfg.ports().size() + " port(s), " + cfg.workers().size()
                    + " worker(s), " + cfg.routes().size() + " route(s), " + cfg.neighbours().size() + " neighbour(s)");
            return EXIT_OK;
        }
        Dataplane dp;
        try {
            dp = Dataplane.start(cfg, config.toString());
        } catch (InvalidConfigException e) {
            err.println(e.getMessage());
            return EXIT_USAGE;
        } catch (RuntimeException e) {
            err.println("dataplane failed to start: " + e.getMessage());
            return EXIT_FAILED;
        }
        try {
            out.print(dp.summary());
            out.println("running; SIGTERM or SIGINT stops");
            out.flush();
            while (true) {
                boolean done = showRuntimeSeconds > 0 ? stop.await(showRuntimeSeconds, TimeUnit.SECONDS)
                        : awaitForever(stop);
                if (done) {
                    break;
                }
                out.print(dp.showRuntime());
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dp.close();
        }
        out.print(dp.showRuntime());
        out.println("stopped; classifiers detached: " + dp.attachedClassifiers());
        out.flush();
        return EXIT_OK;
    }

    private static boolean awaitForever(CountDownLatch stop) throws InterruptedException {
        stop.await();
        return true;
    }

    private static int usage(PrintStream err, String problem) {
        err.println(problem);
        err.println(USAGE);
        return EXIT_USAGE;
    }
}
