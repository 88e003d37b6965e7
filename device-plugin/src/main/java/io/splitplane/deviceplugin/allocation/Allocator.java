package io.splitplane.deviceplugin.allocation;

import io.splitplane.api.deviceplugin.DevicePluginConfig;
import io.splitplane.api.deviceplugin.PoolConfig;
import io.splitplane.api.handover.HandoverSockets;
import io.splitplane.api.handover.XskMapHandover;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.deviceplugin.discovery.PoolDevice;
import io.splitplane.deviceplugin.handover.HandoverServer;
import io.splitplane.deviceplugin.handover.HeldDevices;
import io.splitplane.deviceplugin.handover.PodCheck;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerAllocateResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.Mount;
import io.splitplane.deviceplugin.metrics.DevicePluginMetrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns the kubelet's choice of devices for one container into what the container gets:
 * <ul>
 *   <li>{@code AFXDP_DEVICES_<POOL>}: the netdevs, comma-separated;</li>
 *   <li>pinned pools: one mount per netdev of its pin directory ({@link XskMapPaths}), created now
 *       on the host so the bind mount has a source when the CNI pins the XSKMAP into it later;</li>
 *   <li>uds pools: a {@link HandoverServer} of the allocation's own, its directory mounted at
 *       {@link HandoverSockets#containerDirectory}, and {@code AFXDP_HANDOVER_<POOL>} naming the
 *       socket. A newer allocation of the same netdev replaces the older server (the kubelet only
 *       reallocates a device once its previous pod is gone), and {@link #retireUnheld} stops servers
 *       whose pod is gone.</li>
 * </ul>
 * Everything is checked before anything is made, so a refused Allocate leaves nothing behind.
 */
public final class Allocator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Allocator.class.getName());

    private final PodCheck pods;
    private final DevicePluginMetrics metrics;
    private final Map<String, HandoverServer> servers = new LinkedHashMap<>();
    private final Map<String, String> serverPool = new LinkedHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final String instance = Long.toString(System.currentTimeMillis(), 36);

    public Allocator(PodCheck pods, DevicePluginMetrics metrics) {
        this.pods = pods;
        this.metrics = metrics;
    }

    /**
     * @param current the pool's current device list
     * @throws AllocationException when an ID is unknown, listed twice, or not healthy
     */
    public synchronized ContainerAllocateResponse allocate(DevicePluginConfig config, PoolConfig pool, List<String> ids,
                                                           List<PoolDevice> current) {
        if (ids.isEmpty()) {
            throw new AllocationException(AllocationException.Reason.INVALID_ARGUMENT,
                    "no devices requested from " + pool.resourceName());
        }
        Map<String, PoolDevice> byId = new LinkedHashMap<>();
        current.forEach(d -> byId.put(d.id(), d));
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            PoolDevice d = byId.get(id);
            if (d == null) {
                throw new AllocationException(AllocationException.Reason.INVALID_ARGUMENT, "unknown device '" + id
                        + "' for " + pool.resourceName() + " (devices: " + byId.keySet() + ")");
            }
            if (!seen.add(id)) {
                throw new AllocationException(AllocationException.Reason.INVALID_ARGUMENT, "device '" + id
                        + "' requested twice");
            }
            if (!d.healthy()) {
                throw new AllocationException(AllocationException.Reason.FAILED_PRECONDITION, "device '" + id + "' of "
                        + pool.resourceName() + " is unhealthy (down, gone or no longer selected)");
            }
        }
        XskMapPaths maps = config.xskMapPaths();
        ContainerAllocateResponse.Builder response = ContainerAllocateResponse.newBuilder()
                .putEnvs(XskMapPaths.devicesEnvName(pool.name()), String.join(",", ids));
        for (String id : ids) {
            createDirectory(maps.hostDirectory(id)); // the CNI pins into it, in either mode
        }
        if (pool.handover() == XskMapHandover.PINNED) {
            for (String id : ids) {
                Path host = maps.hostDirectory(id);
                response.addMounts(Mount.newBuilder().setHostPath(host.toString())
                        .setContainerPath(XskMapPaths.containerDirectory(id).toString()).setReadOnly(false));
            }
        } else {
            HandoverSockets sockets = config.handoverSockets();
            String allocation = pool.name() + "-" + instance + "-" + sequence.incrementAndGet();
            retire(ids);
            HandoverServer server;
            try {
                server = new HandoverServer(allocation, sockets.hostSocket(allocation), pool.resourceName(), ids, maps,
                        pods, (netdev, status) -> metrics.handover(pool.name(), status.json()));
            } catch (RuntimeException e) {
                throw new AllocationException(AllocationException.Reason.INTERNAL, "cannot start the hand-over socket"
                        + " for " + ids + ": " + e.getMessage(), e);
            }
            servers.put(allocation, server);
            serverPool.put(allocation, pool.name());
            response.addMounts(Mount.newBuilder().setHostPath(sockets.hostDirectory(allocation).toString())
                    .setContainerPath(HandoverSockets.containerDirectory(pool.name()).toString()).setReadOnly(true));
            response.putEnvs(HandoverSockets.socketEnvName(pool.name()),
                    HandoverSockets.containerSocket(pool.name()).toString());
        }
        return response.build();
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AllocationException(AllocationException.Reason.INTERNAL, "cannot create the pin directory " + dir
                    + ": " + e, e);
        }
    }

    /** Stops the hand-over servers that serve any of {@code netdevs}. */
    private void retire(List<String> netdevs) {
        for (Iterator<Map.Entry<String, HandoverServer>> it = servers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, HandoverServer> e = it.next();
            if (e.getValue().netdevs().stream().anyMatch(netdevs::contains)) {
                LOG.log(Level.INFO, "event=handover_retired allocation=" + e.getKey() + " reason=reallocated");
                e.getValue().close();
                serverPool.remove(e.getKey());
                it.remove();
            }
        }
    }

    /**
     * Stops the hand-over servers whose netdevs no pod holds any more (the kubelet does not tell a
     * plugin when a pod ends; its PodResources API shows it). Servers younger than {@code grace}
     * are left alone: the kubelet records an allocation only after Allocate has returned.
     *
     * @return how many were stopped
     */
    public synchronized int retireUnheld(HeldDevices held, Duration grace) {
        Map<String, Set<String>> byResource = new HashMap<>();
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, HandoverServer> e : servers.entrySet()) {
            HandoverServer server = e.getValue();
            if (server.age().compareTo(grace) < 0) {
                continue;
            }
            Set<String> ids = byResource.computeIfAbsent(server.resource(), held::held);
            if (server.netdevs().stream().noneMatch(ids::contains)) {
                gone.add(e.getKey());
            }
        }
        for (String allocation : gone) {
            LOG.log(Level.INFO, "event=handover_retired allocation=" + allocation + " reason=pod_gone");
            servers.remove(allocation).close();
            serverPool.remove(allocation);
        }
        return gone.size();
    }

    /** Stops every hand-over server of {@code pool} (the pool was removed or changed). */
    public synchronized void closePool(String pool) {
        List<String> gone = new ArrayList<>();
        serverPool.forEach((allocation, p) -> {
            if (p.equals(pool)) {
                gone.add(allocation);
            }
        });
        for (String allocation : gone) {
            servers.remove(allocation).close();
            serverPool.remove(allocation);
        }
    }

    /** The live hand-over servers, by allocation. */
    public synchronized Map<String, HandoverServer> handoverServers() {
        return Map.copyOf(servers);
    }

    @Override
    public synchronized void close() {
        servers.values().forEach(HandoverServer::close);
        servers.clear();
        serverPool.clear();
    }
}
