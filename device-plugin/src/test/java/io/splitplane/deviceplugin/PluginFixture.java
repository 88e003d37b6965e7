package io.splitplane.deviceplugin;

import io.splitplane.deviceplugin.handover.PodResourcesClient;
import io.splitplane.deviceplugin.metrics.DevicePluginMetrics;
import io.splitplane.deviceplugin.testing.KubeletStandIn;
import io.splitplane.deviceplugin.testing.PodResourcesStandIn;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One node for a device-plugin test: a network namespace standing in for the node's (its netdevs
 * are the 'a' ends of veth pairs whose 'b' ends live in a peer namespace), a bpffs, the kubelet and
 * PodResources stand-ins, and the daemon started on a config file. Everything goes away on close,
 * even after a failure.
 */
final class PluginFixture implements AutoCloseable {
    final TestNetwork net = new TestNetwork();
    final Path dir;
    final String node;
    final String peer;
    final NetNamespace nodeNs;
    final Path bpffs;
    final Path config;
    final Path devicePluginDir;
    final KubeletStandIn kubelet;
    final PodResourcesStandIn podResources;
    final PodResourcesClient podResourcesClient;
    final DevicePluginMetrics metrics = new DevicePluginMetrics();
    final List<String> netdevs = new ArrayList<>();
    DevicePluginDaemon daemon;

    PluginFixture(Path dir, int devices) {
        this.dir = dir;
        try {
            node = net.namespace("n");
            peer = net.namespace("p");
            nodeNs = NetNamespace.open(node);
            net.onClose(nodeNs::close);
            for (int i = 0; i < devices; i++) {
                addDevice();
            }
            bpffs = net.bpffs();
            config = dir.resolve("config/devices.json");
            Files.createDirectories(config.getParent());
            devicePluginDir = dir.resolve("device-plugins");
            kubelet = new KubeletStandIn(devicePluginDir);
            net.onClose(kubelet::close);
            podResources = new PodResourcesStandIn(dir.resolve("pod-resources/kubelet.sock"));
            net.onClose(podResources::close);
            podResourcesClient = new PodResourcesClient(podResources.socket());
            net.onClose(podResourcesClient::close);
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** A new veth whose 'a' end is a netdev of the node; returns its name. */
    String addDevice() {
        TestNetwork.Veth v = net.veth(node, peer);
        netdevs.add(v.a());
        return v.a();
    }

    /** A glob that selects this fixture's netdevs (and only them). */
    String pattern() {
        return netdevs.get(0).substring(0, TestNetwork.PREFIX.length() + 6) + "*a";
    }

    /** The default config: one pinned pool "fast" of every fixture netdev. */
    String poolConfig(String handover) {
        return "{\"pools\":[{\"name\":\"fast\",\"devices\":{\"names\":[\"" + pattern() + "\"]},\"handover\":\""
                + handover + "\"}],\"bpffsRoot\":\"" + bpffs + "/afxdp\",\"handoverRoot\":\"" + dir.resolve("ho")
                + "\"}";
    }

    /** Replaces the config file the way a ConfigMap update does: a new file moved into place. */
    void writeConfig(String text) {
        try {
            Path tmp = config.resolveSibling(".tmp-config");
            Files.writeString(tmp, text);
            Files.move(tmp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    DevicePluginDaemon start(String configText) {
        return start(configText, false);
    }

    /** Starts the daemon, keeping spare classifiers if {@code classifierSpares}. */
    DevicePluginDaemon start(String configText, boolean classifierSpares) {
        writeConfig(configText);
        daemon = DevicePluginDaemon.start(new DevicePluginDaemon.Settings(config, devicePluginDir,
                podResourcesClient::holds, "node-1", nodeNs, podResourcesClient::held, Duration.ofMillis(300),
                classifierSpares), metrics);
        return daemon;
    }

    void ip(String... args) {
        Shell.ipIn(node, args);
    }

    @Override
    public void close() {
        try {
            if (daemon != null) {
                daemon.close();
            }
            metrics.close();
        } finally {
            net.close();
        }
    }
}
