package io.splitplane.deviceplugin;

import io.splitplane.api.InvalidConfigException;
import io.splitplane.cni.server.CniServer;
import io.splitplane.deviceplugin.handover.PodResourcesClient;
import io.splitplane.deviceplugin.metrics.DevicePluginMetrics;
import io.splitplane.kernel.netns.NetNamespace;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The daemon's entry point: {@code java -jar splitplane-device-plugin-all.jar --config FILE ...}.
 * Runs until SIGTERM/SIGINT, then removes its sockets. Exit code 2 for a bad config or command line.
 */
@Command(name = "splitplane-device-plugin", mixinStandardHelpOptions = true,
        description = "Advertises AF_XDP-capable netdevs to the kubelet as afxdp/<pool> resources.")
public final class DevicePluginMain implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "The pool config file (JSON, or YAML for .yaml/.yml).")
    Path config;

    @Option(names = "--device-plugin-dir", defaultValue = "/var/lib/kubelet/device-plugins",
            description = "The kubelet's device-plugins directory (default: ${DEFAULT-VALUE}).")
    Path devicePluginDir;

    @Option(names = "--pod-resources-socket", defaultValue = "/var/lib/kubelet/pod-resources/kubelet.sock",
            description = "The kubelet's PodResources socket (default: ${DEFAULT-VALUE}).")
    Path podResourcesSocket;

    @Option(names = "--metrics-port", defaultValue = "9470",
            description = "Port of the Prometheus /metrics endpoint; 0 picks a free one, -1 serves none"
                    + " (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--node-name", defaultValue = "${env:NODE_NAME}",
            description = "This node's name, for the config's per-node overrides (default: $NODE_NAME).")
    String nodeName;

    @Option(names = "--netns", description = "Discover netdevs in this named network namespace instead of the"
            + " daemon's own (for tests and demos).")
    String netns;

    @Option(names = "--classifier-spares", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Keep one XDP classifier loaded ahead of time per pool netdev on the node, under the"
                    + " config's bpffsRoot, so the CNI's ADD need not wait for the kernel's verifier"
                    + " (default: ${DEFAULT-VALUE}).")
    boolean classifierSpares;

    @Option(names = "--cni-socket", description = "Serve the splitplane CNI plugin's calls on this unix socket"
            + " (e.g. /run/splitplane/cni.sock, where its launcher looks by default), so a call costs no JVM"
            + " start; off unless given. Removed on SIGTERM.")
    Path cniSocket;

    @Override
    public Integer call() throws InterruptedException {
        NetNamespace namespace = netns == null ? null : NetNamespace.open(netns);
        CountDownLatch stop = new CountDownLatch(1);
        try (DevicePluginMetrics metrics = new DevicePluginMetrics();
             PodResourcesClient pods = new PodResourcesClient(podResourcesSocket)) {
            if (metricsPort >= 0) {
                int port = metrics.serve(metricsPort);
                System.getLogger(DevicePluginMain.class.getName()).log(System.Logger.Level.INFO,
                        "event=metrics port=" + port + " path=/metrics");
            }
            DevicePluginDaemon daemon;
            try {
                daemon = DevicePluginDaemon.start(new DevicePluginDaemon.Settings(config, devicePluginDir,
                        pods::holds, nodeName, namespace, pods::held, null, classifierSpares), metrics);
            } catch (InvalidConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            CniServer cni;
            try {
                cni = cniSocket == null ? null
                        : CniServer.start(cniSocket, CniServer.DEFAULT_MAX_CALLS, CniServer.DEFAULT_TIMEOUT);
            } catch (RuntimeException e) {
                daemon.close();
                throw e;
            }
            Thread hook = new Thread(() -> {
                // The CNI server first: with its socket gone, the launcher runs calls in a JVM of their own.
                if (cni != null) {
                    cni.close();
                }
                daemon.close();
                stop.countDown();
            }, "device-plugin-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            stop.await();
            return 0;
        } finally {
            if (namespace != null) {
                namespace.close();
            }
        }
    }

    public static void main(String[] args) {
        int code = new CommandLine(new DevicePluginMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
