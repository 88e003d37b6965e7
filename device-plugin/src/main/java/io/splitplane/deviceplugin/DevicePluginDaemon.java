package io.splitplane.deviceplugin;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.deviceplugin.DevicePluginConfig;
import io.splitplane.api.deviceplugin.PoolConfig;
import io.splitplane.deviceplugin.allocation.AllocationException;
import io.splitplane.deviceplugin.allocation.Allocator;
import io.splitplane.deviceplugin.discovery.DeviceWatcher;
import io.splitplane.deviceplugin.discovery.PoolDevice;
import io.splitplane.deviceplugin.discovery.PoolMembership;
import io.splitplane.deviceplugin.discovery.ScannedDevice;
import io.splitplane.deviceplugin.handover.HeldDevices;
import io.splitplane.deviceplugin.handover.PodCheck;
import io.splitplane.deviceplugin.kubelet.DirectoryWatcher;
import io.splitplane.deviceplugin.kubelet.PoolEndpoint;
import io.splitplane.deviceplugin.kubelet.Registrar;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerAllocateResponse;
import io.splitplane.deviceplugin.metrics.DevicePluginMetrics;
import io.splitplane.deviceplugin.spares.SpareKeeper;
import io.splitplane.bpf.ClassifierSpares;
import io.splitplane.kernel.netns.NetNamespace;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The device plugin of one node, assembled: it reads the config, watches the node's netdevs, serves
 * one {@link PoolEndpoint} per pool and registers each with the kubelet; it re-registers when the
 * kubelet restarts and reloads the pools when the config file changes.
 *
 * <p>Threads: the {@link DeviceWatcher} scans and publishes health; gRPC's executor serves the
 * kubelet's calls; one control thread does everything that talks to the kubelet first (Register,
 * which the kubelet answers only after calling back into the plugin) or rebuilds endpoints
 * (restarts, config reloads); the {@link DirectoryWatcher} only hands events to the control
 * thread. State shared between them is guarded by this object's lock.
 */
public final class DevicePluginDaemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DevicePluginDaemon.class.getName());
    private static final Duration REGISTER_RETRY = Duration.ofSeconds(1);

    /**
     * @param config            the config file (JSON or YAML)
     * @param devicePluginDir   the kubelet's device-plugins directory
     * @param pods              who holds which device (the PodResources API)
     * @param nodeName          picks the config's per-node overrides; may be null
     * @param namespace         where the netdevs are; null for the daemon's own namespace
     * @param held              which devices pods hold now, to stop hand-over sockets of pods that
     *                          are gone; null: never
     * @param handoverSweep     how often to look for such sockets, and how old one must be first
     * @param classifierSpares keep one classifier loaded ahead of time per pool netdev on the node
     *                         ({@link SpareKeeper}), for the CNI's ADD to claim
     */
    public record Settings(Path config, Path devicePluginDir, PodCheck pods, String nodeName, NetNamespace namespace,
                           HeldDevices held, Duration handoverSweep, boolean classifierSpares) {
        public static final Duration DEFAULT_HANDOVER_SWEEP = Duration.ofSeconds(30);

        public Settings {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(devicePluginDir, "devicePluginDir");
            Objects.requireNonNull(pods, "pods");
            if (handoverSweep == null) {
                handoverSweep = DEFAULT_HANDOVER_SWEEP;
            }
            if (handoverSweep.isNegative() || handoverSweep.isZero()) {
                throw new IllegalArgumentException("handoverSweep=" + handoverSweep + " must be positive");
            }
        }

        /** Without spare classifiers. */
        public Settings(Path config, Path devicePluginDir, PodCheck pods, String nodeName, NetNamespace namespace,
                        HeldDevices held, Duration handoverSweep) {
            this(config, devicePluginDir, pods, nodeName, namespace, held, handoverSweep, false);
        }

        /** Without sweeping hand-over sockets, without spare classifiers. */
        public Settings(Path config, Path devicePluginDir, PodCheck pods, String nodeName, NetNamespace namespace) {
            this(config, devicePluginDir, pods, nodeName, namespace, null, null, false);
        }
    }

    private final Settings settings;
    private final DevicePluginMetrics metrics;
    private final PoolMembership membership = new PoolMembership();
    private final Allocator allocator;
    private final Map<String, PoolEndpoint> endpoints = new LinkedHashMap<>();
    private final Set<String> unregistered = new LinkedHashSet<>();
    private final ScheduledExecutorService control;
    private volatile DevicePluginConfig config;
    private byte[] configBytes;
    private List<ScannedDevice> lastScan = List.of();
    private DeviceWatcher watcher;
    private DirectoryWatcher directories;
    /** Null unless {@link Settings#classifierSpares()}. */
    private SpareKeeper spares;
    private boolean closed;

    private DevicePluginDaemon(Settings settings, DevicePluginMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.allocator = new Allocator(settings.pods(), metrics);
        this.control = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("device-plugin-control").daemon(true).unstarted(r));
    }

    /**
     * Reads the config (refusing to start on a bad one), scans, serves every pool and registers it.
     * Returns once every endpoint serves; registration continues in the background until the kubelet
     * is there.
     *
     * @throws InvalidConfigException for a bad config file
     */
    public static DevicePluginDaemon start(Settings settings, DevicePluginMetrics metrics) {
        DevicePluginDaemon daemon = new DevicePluginDaemon(settings, metrics);
        try {
            daemon.boot();
            return daemon;
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    private void boot() {
        byte[] bytes = readConfig();
        config = ConfigJson.readFile(settings.config(), DevicePluginConfig.class);
        configBytes = bytes;
        try {
            Files.createDirectories(settings.devicePluginDir());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + settings.devicePluginDir() + ": " + e, e);
        }
        synchronized (this) {
            membership.setPools(config.poolsFor(settings.nodeName()));
            if (settings.classifierSpares()) {
                spares = SpareKeeper.start(ClassifierSpares.under(config.xskMapPaths().bpffsRoot()));
            }
        }
        watcher = new DeviceWatcher(settings.namespace(), this::onScan);
        synchronized (this) {
            for (PoolConfig pool : membership.pools()) {
                startEndpoint(pool);
            }
        }
        Path configDir = settings.config().toAbsolutePath().getParent();
        directories = new DirectoryWatcher(List.of(settings.devicePluginDir(), configDir), new Events(configDir));
        control.scheduleWithFixedDelay(this::registerPending, 0, REGISTER_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        if (settings.held() != null) {
            long sweepMs = settings.handoverSweep().toMillis();
            control.scheduleWithFixedDelay(this::sweepHandovers, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
        }
        LOG.log(Level.INFO, "event=started pools=" + membership.pools().stream().map(PoolConfig::name).toList()
                + " node=" + settings.nodeName() + " config=" + settings.config());
    }

    private byte[] readConfig() {
        try {
            return Files.readAllBytes(settings.config());
        } catch (IOException e) {
            throw new InvalidConfigException(settings.config().toString(), "", "cannot read the file: " + e, e);
        }
    }

    // ---- health -----------------------------------------------------------------------------------

    private synchronized void onScan(List<ScannedDevice> scan) {
        if (closed) {
            return;
        }
        lastScan = scan;
        publish(membership.update(scan));
        wantSpares();
    }

    /** One spare per pool netdev that is on the node and can be allocated (a pod's is not here). */
    private void wantSpares() {
        if (spares == null) {
            return;
        }
        Set<String> present = new HashSet<>();
        lastScan.forEach(d -> present.add(d.name()));
        int wanted = 0;
        for (PoolConfig pool : membership.pools()) {
            for (PoolDevice d : membership.devices(pool.name())) {
                if (d.healthy() && present.contains(d.id())) {
                    wanted++;
                }
            }
        }
        spares.want(wanted);
    }

    private void publish(Map<String, List<PoolDevice>> changed) {
        changed.forEach((pool, list) -> {
            PoolEndpoint endpoint = endpoints.get(pool);
            List<PoolDevice> before = endpoint == null ? List.of() : endpoint.devices();
            if (endpoint != null) {
                endpoint.publish(list);
            }
            long healthy = list.stream().filter(PoolDevice::healthy).count();
            metrics.devices(pool, PoolEndpoint.HEALTHY, (int) healthy);
            metrics.devices(pool, PoolEndpoint.UNHEALTHY, (int) (list.size() - healthy));
            logChanges(pool, before, list);
        });
    }

    private void logChanges(String pool, List<PoolDevice> before, List<PoolDevice> after) {
        Map<String, Boolean> old = new HashMap<>();
        before.forEach(d -> old.put(d.id(), d.healthy()));
        for (PoolDevice d : after) {
            Boolean was = old.get(d.id());
            if (was == null || was != d.healthy()) {
                String health = d.healthy() ? PoolEndpoint.HEALTHY : PoolEndpoint.UNHEALTHY;
                metrics.healthChange(pool, health);
                LOG.log(d.healthy() ? Level.INFO : Level.WARNING, "event=device_health pool=" + pool + " device="
                        + d.id() + " health=" + health + (was == null ? " new=true" + facts(d.id()) : ""));
            }
        }
    }

    /** What discovery found about a device, for the log line of its first appearance. */
    private String facts(String netdev) {
        for (ScannedDevice d : lastScan) {
            if (d.name().equals(netdev)) {
                return " driver=" + d.candidate().driver() + " pci=" + d.pciAddress().orElse("none") + " numa="
                        + (d.numaNode().isPresent() ? d.numaNode().getAsInt() : "none") + " rx_queues=" + d.rxQueues();
            }
        }
        return "";
    }

    // ---- allocation -------------------------------------------------------------------------------

    private ContainerAllocateResponse allocate(PoolConfig pool, List<String> ids) {
        long start = System.nanoTime();
        String result = "ok";
        try {
            List<PoolDevice> current;
            synchronized (this) {
                current = membership.devices(pool.name());
            }
            ContainerAllocateResponse response = allocator.allocate(config, pool, ids, current);
            synchronized (this) {
                membership.markAllocated(ids);
            }
            LOG.log(Level.INFO, "event=allocated pool=" + pool.name() + " devices=" + ids);
            return response;
        } catch (AllocationException e) {
            result = e.reason().name().toLowerCase(java.util.Locale.ROOT);
            LOG.log(Level.WARNING, "event=allocate_refused pool=" + pool.name() + " devices=" + ids + " reason=\""
                    + e.getMessage() + "\"");
            throw e;
        } finally {
            metrics.allocation(pool.name(), result, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    // ---- endpoints and registration (control thread, or boot) ----------------------------------------

    private void startEndpoint(PoolConfig pool) {
        PoolEndpoint endpoint = new PoolEndpoint(pool, settings.devicePluginDir(), membership.devices(pool.name()),
                this::allocate).start();
        endpoints.put(pool.name(), endpoint);
        unregistered.add(pool.name());
    }

    private void registerPending() {
        List<PoolConfig> pending;
        synchronized (this) {
            if (closed || unregistered.isEmpty()
                    || !Files.exists(settings.devicePluginDir().resolve(Registrar.KUBELET_SOCKET))) {
                return;
            }
            pending = unregistered.stream().map(endpoints::get).filter(Objects::nonNull).map(PoolEndpoint::pool)
                    .toList();
        }
        for (PoolConfig pool : pending) {
            try {
                // Outside the lock: the kubelet calls back into the endpoint before it answers.
                Registrar.register(settings.devicePluginDir(), pool);
                synchronized (this) {
                    PoolEndpoint current = endpoints.get(pool.name());
                    if (current != null && current.pool().equals(pool)) {
                        unregistered.remove(pool.name());
                    }
                }
                metrics.registration(pool.name(), "ok");
                LOG.log(Level.INFO, "event=registered pool=" + pool.name() + " resource=" + pool.resourceName()
                        + " endpoint=" + pool.endpoint());
            } catch (RuntimeException e) {
                metrics.registration(pool.name(), "failed");
                LOG.log(Level.WARNING, "event=register_failed pool=" + pool.name() + " error=\"" + e.getMessage()
                        + "\" retry_in_ms=" + REGISTER_RETRY.toMillis());
            }
        }
    }

    private void sweepHandovers() {
        try {
            allocator.retireUnheld(settings.held(), settings.handoverSweep());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event=handover_sweep_failed error=\"" + e.getMessage() + "\"");
        }
    }

    /** The kubelet (re)started or our socket vanished: serve again where needed, then register. */
    private void reRegister(String onlyEndpointFile) {
        synchronized (this) {
            if (closed) {
                return;
            }
            for (PoolEndpoint e : List.copyOf(endpoints.values())) {
                if (onlyEndpointFile != null && !e.pool().endpoint().equals(onlyEndpointFile)) {
                    continue;
                }
                if (!Files.exists(e.socket())) {
                    LOG.log(Level.INFO, "event=socket_gone pool=" + e.pool().name() + " socket=" + e.socket());
                    e.close();
                    startEndpoint(e.pool());
                }
                unregistered.add(e.pool().name());
            }
        }
        registerPending();
    }

    private void reloadConfig() {
        byte[] bytes;
        try {
            bytes = readConfig();
        } catch (InvalidConfigException e) {
            return; // mid-replacement (ConfigMap symlink swap); the next event brings the new file
        }
        synchronized (this) {
            if (closed || Arrays.equals(bytes, configBytes)) {
                return;
            }
        }
        DevicePluginConfig next;
        try {
            next = ConfigJson.readFile(settings.config(), DevicePluginConfig.class);
        } catch (InvalidConfigException e) {
            metrics.configReload("invalid");
            LOG.log(Level.ERROR, "event=config_rejected error=\"" + e.getMessage() + "\" keeping=previous");
            synchronized (this) {
                configBytes = bytes; // do not log the same bad file again
            }
            return;
        }
        synchronized (this) {
            configBytes = bytes;
            config = next;
            List<PoolConfig> pools = next.poolsFor(settings.nodeName());
            Map<String, PoolConfig> wanted = new LinkedHashMap<>();
            pools.forEach(p -> wanted.put(p.name(), p));
            for (PoolEndpoint e : List.copyOf(endpoints.values())) {
                if (!e.pool().equals(wanted.get(e.pool().name()))) {
                    e.close();
                    endpoints.remove(e.pool().name());
                    unregistered.remove(e.pool().name());
                    allocator.closePool(e.pool().name());
                    metrics.devices(e.pool().name(), PoolEndpoint.HEALTHY, 0);
                    metrics.devices(e.pool().name(), PoolEndpoint.UNHEALTHY, 0);
                }
            }
            membership.setPools(pools);
            Map<String, List<PoolDevice>> changed = membership.update(lastScan);
            for (PoolConfig p : pools) {
                if (!endpoints.containsKey(p.name())) {
                    startEndpoint(p);
                }
            }
            publish(changed);
            if (spares != null && !spares.spares().equals(ClassifierSpares.under(next.xskMapPaths().bpffsRoot()))) {
                spares.close();
                spares = SpareKeeper.start(ClassifierSpares.under(next.xskMapPaths().bpffsRoot()));
            }
            wantSpares();
            metrics.configReload("ok");
            LOG.log(Level.INFO, "event=config_reloaded pools=" + pools.stream().map(PoolConfig::name).toList());
        }
        watcher.rescan();
        registerPending();
    }

    private final class Events implements DirectoryWatcher.Listener {
        private final Path configDir;

        Events(Path configDir) {
            this.configDir = configDir;
        }

        @Override
        public void onCreated(Path directory, String file) {
            route(directory, file, true);
        }

        @Override
        public void onDeleted(Path directory, String file) {
            if (directory.equals(settings.devicePluginDir())) {
                control.execute(() -> reRegister(file));
            }
            if (directory.equals(configDir)) {
                control.execute(DevicePluginDaemon.this::reloadConfig);
            }
        }

        @Override
        public void onModified(Path directory, String file) {
            if (directory.equals(configDir)) {
                control.execute(DevicePluginDaemon.this::reloadConfig);
            }
        }

        @Override
        public void onReset(Path directory) {
            if (directory.equals(settings.devicePluginDir())) {
                control.execute(() -> reRegister(null));
            }
            if (directory.equals(configDir)) {
                control.execute(DevicePluginDaemon.this::reloadConfig);
            }
        }

        private void route(Path directory, String file, boolean created) {
            if (directory.equals(settings.devicePluginDir()) && created && file.equals(Registrar.KUBELET_SOCKET)) {
                LOG.log(Level.INFO, "event=kubelet_socket_created");
                control.execute(() -> reRegister(null));
            }
            if (directory.equals(configDir)) {
                control.execute(DevicePluginDaemon.this::reloadConfig);
            }
        }
    }

    // ---- views for tests and the entry point -------------------------------------------------------

    public synchronized List<PoolDevice> devices(String pool) {
        return membership.devices(pool);
    }

    public synchronized List<String> pools() {
        return new ArrayList<>(endpoints.keySet());
    }

    public synchronized boolean isRegistered(String pool) {
        return endpoints.containsKey(pool) && !unregistered.contains(pool);
    }

    public DevicePluginConfig config() {
        return config;
    }

    public Allocator allocator() {
        return allocator;
    }

    /** The spare classifiers' keeper, if {@link Settings#classifierSpares()}. */
    public synchronized java.util.Optional<SpareKeeper> spareKeeper() {
        return java.util.Optional.ofNullable(spares);
    }

    /** Stops everything and removes the plugin's sockets. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (directories != null) {
            directories.close();
        }
        control.shutdownNow();
        try {
            control.awaitTermination(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (watcher != null) {
            watcher.close();
        }
        synchronized (this) {
            endpoints.values().forEach(PoolEndpoint::close);
            endpoints.clear();
        }
        allocator.close();
        SpareKeeper keeper;
        synchronized (this) {
            keeper = spares;
        }
        if (keeper != null) {
            keeper.close();
        }
        LOG.log(Level.INFO, "event=stopped");
    }
}
