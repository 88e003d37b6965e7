package io.splitplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.deviceplugin.DevicePluginDaemon;
import io.splitplane.deviceplugin.kubelet.v1beta1.AllocateResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerAllocateResponse;
import io.splitplane.deviceplugin.metrics.DevicePluginMetrics;
import io.splitplane.deviceplugin.testing.KubeletStandIn;
import io.splitplane.kernel.netns.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The node side of handing netdevs to a pod, the way Kubernetes does it: the device plugin
 * ({@link DevicePluginDaemon}, as its main starts it) serves the node's netdevs as the pool
 * {@code afxdp/<pool>} to the kubelet (the device-plugin module's {@link KubeletStandIn}, real
 * v1beta1 protobuf over real unix sockets); the kubelet calls Allocate for a pod that requests the
 * pool; the runtime execs the CNI plugin with ADD for each device ({@link CniRuntime}). Closing
 * undoes it in reverse: CNI DEL for each device, the device plugin stopped (its sockets removed),
 * the kubelet stand-in stopped.
 */
final class NodeHandover implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** One mount of Allocate's answer: the host path and where the container sees it. */
    record Mount(Path hostPath, Path containerPath, boolean readOnly) {
    }

    /** Allocate's answer for the pod's one container. */
    record Allocation(Map<String, String> env, List<Mount> mounts) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            env.forEach((k, v) -> sb.append("env   ").append(k).append('=').append(v).append('\n'));
            for (Mount m : mounts) {
                sb.append("mount ").append(m.hostPath()).append(" -> ").append(m.containerPath())
                        .append(m.readOnly() ? " (ro)" : "").append('\n');
            }
            return sb.toString();
        }
    }

    /** A device the CNI plugin handed to the pod: its host name, its name in the pod, ADD's result. */
    record Attachment(String device, String ifname, JsonNode result, String config) {
    }

    private final String pool;
    private final List<String> devices;
    private final Path devicePluginDir;
    private final Path bpffsRoot;
    private final CniRuntime cni;
    private final String containerId;
    private final String podNetns;
    private final Deque<Attachment> attachments = new ArrayDeque<>();
    private KubeletStandIn kubelet;
    private NetNamespace nodeNs;
    private DevicePluginMetrics metrics;
    private DevicePluginDaemon daemon;
    private KubeletStandIn.Update advertised;
    private boolean closed;

    /**
     * @param dir       the node's directory: the device plugin's config and the kubelet's
     *                  device-plugins directory go there
     * @param bpffsRoot a directory on a bpffs: the device plugin's and the CNI's {@code bpffsRoot}
     * @param podNetns  the pod sandbox's network namespace path ({@code CNI_NETNS})
     */
    private NodeHandover(String pool, List<String> devices, Path dir, Path bpffsRoot, CniRuntime cni,
                         String containerId, String podNetns) {
        this.pool = pool;
        this.devices = List.copyOf(devices);
        this.devicePluginDir = dir.resolve("device-plugins");
        this.bpffsRoot = bpffsRoot;
        this.cni = cni;
        this.containerId = containerId;
        this.podNetns = podNetns;
    }

    /**
     * Starts the kubelet stand-in and the device plugin with a config that makes {@code devices} (in
     * namespace {@code node}) the pinned pool {@code pool}, and waits until the kubelet has the
     * plugin registered and a list in which every device is Healthy.
     */
    static NodeHandover start(String node, String pool, List<String> devices, Path dir, Path bpffsRoot,
                              CniRuntime cni, String containerId, String podNetns) {
        NodeHandover h = new NodeHandover(pool, devices, dir, bpffsRoot, cni, containerId, podNetns);
        try {
            h.boot(node, dir);
            return h;
        } catch (RuntimeException | Error e) {
            try {
                h.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void boot(String node, Path dir) {
        Path config = dir.resolve("devices.json");
        ObjectNode c = JSON.createObjectNode();
        ObjectNode p = c.putArray("pools").addObject();
        p.put("name", pool);
        devices.forEach(p.putObject("devices").putArray("names")::add);
        p.put("handover", "pinned");
        c.put("bpffsRoot", bpffsRoot.toString());
        try {
            Files.writeString(config, c.toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kubelet = new KubeletStandIn(devicePluginDir);
        nodeNs = NetNamespace.open(node);
        metrics = new DevicePluginMetrics();
        // Pinned pools never ask who holds a device (only hand-over sockets do): the check refuses.
        daemon = DevicePluginDaemon.start(new DevicePluginDaemon.Settings(config, devicePluginDir,
                (namespace, pod, resource, device) -> false, null, nodeNs), metrics);
        try {
            kubelet.awaitRegistration(resource(), WAIT);
            advertised = kubelet.plugin(resource()).awaitUpdate(
                    u -> devices.stream().allMatch(d -> "Healthy".equals(u.health().get(d))), WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the device plugin", e);
        }
    }

    /** The extended resource the pod requests. */
    String resource() {
        return "afxdp/" + pool;
    }

    /** The kubelet's device-plugins directory (kubelet.sock and the plugin's socket). */
    Path devicePluginDirectory() {
        return devicePluginDir;
    }

    /** The plugin's socket file name, as it registered it. */
    String endpoint() {
        return "afxdp-" + pool + ".sock";
    }

    /** The ListAndWatch list in which the kubelet first saw every device Healthy: device to health. */
    Map<String, String> advertised() {
        return new TreeMap<>(advertised.health());
    }

    /** The kubelet's latest ListAndWatch list: device to health. */
    Map<String, String> currentHealth() {
        return new TreeMap<>(kubelet.plugin(resource()).latest().health());
    }

    /** Allocate for the pod's container, asking for every device, as the kubelet sends it. */
    Allocation allocate() {
        AllocateResponse r = kubelet.plugin(resource()).allocate(devices);
        ContainerAllocateResponse c = r.getContainerResponses(0);
        List<Mount> mounts = new ArrayList<>();
        c.getMountsList().forEach(m -> mounts.add(new Mount(Path.of(m.getHostPath()), Path.of(m.getContainerPath()),
                m.getReadOnly())));
        return new Allocation(new TreeMap<>(c.getEnvsMap()), List.copyOf(mounts));
    }

    /**
     * CNI ADD of {@code device} into the pod as {@code ifname}: {@code networkConfig} is the network's
     * config (as in its NetworkAttachmentDefinition) to which Multus adds the device ID.
     */
    Attachment add(String device, String ifname, String networkConfig) {
        String config = withDeviceId(networkConfig, device);
        CniRuntime.Answer a = cni.add(containerId, podNetns, ifname, config)
                .orThrow("CNI ADD of " + device + " as " + ifname);
        Attachment att = new Attachment(device, ifname, a.json(), config);
        attachments.push(att);
        return att;
    }

    private static String withDeviceId(String networkConfig, String device) {
        try {
            ObjectNode c = (ObjectNode) JSON.readTree(networkConfig);
            c.put("deviceID", device);
            return JSON.writeValueAsString(c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files the CNI pinned for the pool's devices, relative to the pin root. */
    List<String> pins() {
        List<String> all = new ArrayList<>();
        for (String d : devices) {
            Path dir = bpffsRoot.resolve(XskMapPaths.bpffsName(d));
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.map(f -> bpffsRoot.relativize(f).toString()).sorted().forEach(all::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return all;
    }

    /** Sockets in the kubelet's device-plugins directory (kubelet.sock and the plugin's). */
    List<String> sockets() {
        return kubelet == null ? List.of() : kubelet.files();
    }

    /** CNI DEL for every device (newest first), then the device plugin and the kubelet stand-in. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        while (!attachments.isEmpty()) {
            Attachment a = attachments.pop();
            try {
                cni.del(containerId, podNetns, a.ifname(), a.config()).orThrow("CNI DEL of " + a.device());
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {daemon, metrics, kubelet, nodeNs}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    failure = add(failure, e instanceof RuntimeException re ? re : new IllegalStateException(e));
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
