package io.splitplane.e2e;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.examples.UdpEcho;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * The program of vrouter1's container ({@link PodContainer}): the dataplane in pod mode (its ports
 * join the classifiers the CNI attached, through the XSKMAPs under the device plugin's mounts) and an
 * application on it, the UDP echo of {@code examples/UdpEcho} on a channel. Runs until SIGTERM.
 *
 * <pre>
 *   VrouterPod --config FILE [--echo ADDRESS:PORT]
 * </pre>
 *
 * Before it starts it checks what the device plugin promised: every netdev in an
 * {@code AFXDP_DEVICES_*} variable has its pinned XSKMAP under {@link XskMapPaths#CONTAINER_ROOT}.
 * Besides the dataplane's commands its control socket answers {@code show xsk} (the kernel's
 * {@code XDP_STATISTICS} of every port), which only the process owning the sockets can read.
 */
public final class VrouterPod {
    private VrouterPod() {
    }

    public static void main(String[] args) throws Exception {
        Path configFile = null;
        InetSocketAddress echoAt = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> configFile = Path.of(argument(args, ++i, "--config FILE"));
                case "--echo" -> echoAt = socketAddress(argument(args, ++i, "--echo ADDRESS:PORT"));
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        if (configFile == null) {
            usage("--config FILE is required");
        }
        List<String> handedOver = checkHandover(System.getenv());
        System.out.println("devices from the device plugin, with their maps: " + handedOver);
        DataplaneConfig config = ConfigJson.readFile(configFile, DataplaneConfig.class);
        Dataplane dp = Dataplane.start(config, configFile.toString());
        UdpEcho echo = null;
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            dp.commands().register("show xsk", "show xsk -- the kernel's XDP_STATISTICS of every port's sockets",
                    a -> {
                        StringBuilder sb = new StringBuilder();
                        for (int id = 0; id < dp.config().ports().size(); id++) {
                            sb.append(dp.config().ports().get(id).name()).append(": ")
                                    .append(dp.ports().get(id).statistics()).append('\n');
                        }
                        return sb.toString();
                    });
            if (echoAt != null) {
                echo = UdpEcho.startInGraph(dp.channels(), echoAt);
            }
            UdpEcho running = echo;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                // SIGTERM: the application first, then the dataplane empties its map slots and stops.
                try {
                    if (running != null) {
                        running.close();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    dp.close();
                    stopped.countDown();
                }
            }, "pod-stop"));
            System.out.print(dp.summary());
            System.out.println("running" + (echoAt == null ? "" : "; UDP echo on a channel at " + echoAt
                    .getAddress().getHostAddress() + ":" + echoAt.getPort()));
            System.out.flush();
        } catch (RuntimeException | Error e) {
            if (echo != null) {
                echo.close();
            }
            dp.close();
            throw e;
        }
        stopped.await();
    }

    /** The netdevs of every {@code AFXDP_DEVICES_*} variable, each with its pinned map where it must be. */
    static List<String> checkHandover(Map<String, String> env) {
        List<String> netdevs = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (!e.getKey().startsWith("AFXDP_DEVICES_")) {
                continue;
            }
            for (String netdev : e.getValue().split(",")) {
                Path map = XskMapPaths.containerMap(netdev.strip());
                if (!Files.exists(map)) {
                    throw new IllegalStateException(e.getKey() + " names " + netdev + " but " + map
                            + " does not exist: the device plugin's mount or the CNI's pin is missing");
                }
                netdevs.add(netdev.strip());
            }
        }
        if (netdevs.isEmpty()) {
            throw new IllegalStateException("no AFXDP_DEVICES_* variable: the pod was not given any device");
        }
        return netdevs;
    }

    private static String argument(String[] args, int i, String what) {
        if (i >= args.length) {
            usage(what + " needs a value");
        }
        return args[i];
    }

    private static InetSocketAddress socketAddress(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            usage("--echo needs ADDRESS:PORT, got '" + text + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(text.substring(0, colon)),
                    Integer.parseInt(text.substring(colon + 1)));
        } catch (Exception e) {
            usage("--echo needs ADDRESS:PORT, got '" + text + "': " + e.getMessage());
            return null;
        }
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: VrouterPod --config FILE [--echo ADDRESS:PORT]");
        System.exit(2);
    }
}
