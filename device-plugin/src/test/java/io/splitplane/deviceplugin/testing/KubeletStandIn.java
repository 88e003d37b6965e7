package io.splitplane.deviceplugin.testing;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.splitplane.deviceplugin.kubelet.UdsGrpc;
import io.splitplane.deviceplugin.kubelet.v1beta1.AllocateRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.AllocateResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerAllocateRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerPreferredAllocationRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.Device;
import io.splitplane.deviceplugin.kubelet.v1beta1.DevicePluginGrpc;
import io.splitplane.deviceplugin.kubelet.v1beta1.DevicePluginOptions;
import io.splitplane.deviceplugin.kubelet.v1beta1.Empty;
import io.splitplane.deviceplugin.kubelet.v1beta1.ListAndWatchResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.PreferredAllocationRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.RegisterRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.RegistrationGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A kubelet for device-plugin tests: it serves {@code v1beta1.Registration} on
 * {@code <dir>/kubelet.sock} with the real protobuf over a real unix socket and, like the kubelet,
 * inside {@code Register} checks the version and resource name, dials the plugin's endpoint and
 * calls {@code GetDevicePluginOptions} before it answers; then it opens ListAndWatch and records
 * every list with the time it arrived. {@link #plugin} calls Allocate and GetPreferredAllocation as
 * the kubelet would; {@link #restart} does what a kubelet restart does to the directory.
 */
public final class KubeletStandIn implements AutoCloseable {
    private static final Pattern RESOURCE = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?/[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?");
    private static final String CHECKPOINT = "kubelet_internal_checkpoint";

    /** One list received on ListAndWatch, and when ({@link System#nanoTime}). */
    public record Update(long receivedNanos, List<Device> devices) {
        public Map<String, String> health() {
            Map<String, String> m = new java.util.TreeMap<>();
            devices.forEach(d -> m.put(d.getID(), d.getHealth()));
            return m;
        }
    }

    /** A registration as the stand-in accepted it, with the options it got back from the plugin. */
    public record Registration(RegisterRequest request, DevicePluginOptions optionsFromPlugin, long atNanos) {
    }

    /** The kubelet's connection to one registered plugin. */
    public final class Plugin {
        private final String resource;
        private final ManagedChannel channel;
        private final LinkedBlockingQueue<Update> updates = new LinkedBlockingQueue<>();
        private final List<Update> history = new CopyOnWriteArrayList<>();
        private volatile boolean streamEnded;

        Plugin(String resource, Path socket) {
            this.resource = resource;
            this.channel = UdsGrpc.channel(socket);
        }

        void watch() {
            DevicePluginGrpc.newStub(channel).listAndWatch(Empty.getDefaultInstance(), new StreamObserver<>() {
                @Override
                public void onNext(ListAndWatchResponse r) {
                    Update u = new Update(System.nanoTime(), List.copyOf(r.getDevicesList()));
                    history.add(u);
                    updates.add(u);
                }

                @Override
                public void onError(Throwable t) {
                    streamEnded = true;
                }

                @Override
                public void onCompleted() {
                    streamEnded = true;
                }
            });
        }

        public String resource() {
            return resource;
        }

        /** Takes lists off the queue until one satisfies {@code condition}; fails after {@code timeout}. */
        public Update awaitUpdate(Predicate<Update> condition, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                Update u = left > 0 ? updates.poll(left, TimeUnit.NANOSECONDS) : null;
                if (u == null) {
                    throw new AssertionError("no ListAndWatch update of " + resource + " matched within " + timeout
                            + "; last: " + latest());
                }
                if (condition.test(u)) {
                    return u;
                }
            }
        }

        /** Waits until the health of {@code device} is {@code health} in a new list. */
        public Update awaitHealth(String device, String health, Duration timeout) throws InterruptedException {
            return awaitUpdate(u -> health.equals(u.health().get(device)), timeout);
        }

        public Update latest() {
            return history.isEmpty() ? null : history.get(history.size() - 1);
        }

        public List<Update> history() {
            return List.copyOf(history);
        }

        /** Drops queued lists, so the next {@link #awaitUpdate} sees only what comes after. */
        public void drain() {
            updates.clear();
        }

        public boolean streamEnded() {
            return streamEnded;
        }

        /** Allocate for one container, as the kubelet sends it. */
        public AllocateResponse allocate(List<String> deviceIds) {
            return DevicePluginGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .allocate(AllocateRequest.newBuilder().addContainerRequests(
                            ContainerAllocateRequest.newBuilder().addAllDevicesIds(deviceIds)).build());
        }

        public List<String> preferred(List<String> available, List<String> mustInclude, int size) {
            return DevicePluginGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getPreferredAllocation(PreferredAllocationRequest.newBuilder().addContainerRequests(
                            ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(available)
                                    .addAllMustIncludeDeviceIDs(mustInclude).setAllocationSize(size)).build())
                    .getContainerResponses(0).getDeviceIDsList();
        }

        void close() {
            UdsGrpc.close(channel);
        }
    }

    private final Path dir;
    private final Map<String, Plugin> plugins = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Registration> registrations = new LinkedBlockingQueue<>();
    private final List<Registration> allRegistrations = new CopyOnWriteArrayList<>();
    private UdsGrpc.Running server;

    /** Creates {@code dir} if needed and serves kubelet.sock in it. */
    public KubeletStandIn(Path dir) {
        this.dir = dir;
        serve();
    }

    private void serve() {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(socket());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = UdsGrpc.serve(socket(), new RegistrationService());
    }

    public Path directory() {
        return dir;
    }

    public Path socket() {
        return dir.resolve("kubelet.sock");
    }

    private final class RegistrationService extends RegistrationGrpc.RegistrationImplBase {
        @Override
        public void register(RegisterRequest request, StreamObserver<Empty> reply) {
            if (!"v1beta1".equals(request.getVersion())) {
                reply.onError(Status.INVALID_ARGUMENT.withDescription("unsupported version " + request.getVersion())
                        .asRuntimeException());
                return;
            }
            if (!RESOURCE.matcher(request.getResourceName()).matches()) {
                reply.onError(Status.INVALID_ARGUMENT.withDescription("invalid resource name "
                        + request.getResourceName()).asRuntimeException());
                return;
            }
            Path endpoint = dir.resolve(request.getEndpoint());
            Plugin plugin = new Plugin(request.getResourceName(), endpoint);
            DevicePluginOptions options;
            try {
                // Synchronously, before answering, like the kubelet: a plugin that registers from a
                // thread its own server needs deadlocks here.
                options = DevicePluginGrpc.newBlockingStub(plugin.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getDevicePluginOptions(Empty.getDefaultInstance());
            } catch (RuntimeException e) {
                plugin.close();
                reply.onError(Status.UNAVAILABLE.withDescription("cannot reach the plugin at " + endpoint + ": "
                        + e.getMessage()).asRuntimeException());
                return;
            }
            Plugin old = plugins.put(request.getResourceName(), plugin);
            if (old != null) {
                old.close();
            }
            Registration r = new Registration(request, options, System.nanoTime());
            allRegistrations.add(r);
            registrations.add(r);
            reply.onNext(Empty.getDefaultInstance());
            reply.onCompleted();
            // Not in the Register call's context, which is cancelled as soon as Register returns.
            Context.current().fork().run(plugin::watch);
        }
    }

    /** Waits for the next registration (of any resource). */
    public Registration awaitRegistration(Duration timeout) throws InterruptedException {
        Registration r = registrations.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no registration within " + timeout);
        }
        return r;
    }

    /** Waits for the next registration of {@code resource}, skipping others. */
    public Registration awaitRegistration(String resource, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Registration r = registrations.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("no registration of " + resource + " within " + timeout + " (all: "
                        + allRegistrations.stream().map(x -> x.request().getResourceName()).toList() + ")");
            }
            if (r.request().getResourceName().equals(resource)) {
                return r;
            }
        }
    }

    /** Drops queued registrations, so the next {@link #awaitRegistration} sees only later ones. */
    public void forgetRegistrations() {
        registrations.clear();
    }

    public List<Registration> registrations() {
        return List.copyOf(allRegistrations);
    }

    /** The connection to the plugin registered for {@code resource}, waiting for it to register. */
    public Plugin plugin(String resource) {
        Plugin p = plugins.get(resource);
        if (p == null) {
            throw new AssertionError(resource + " is not registered (registered: " + plugins.keySet() + ")");
        }
        return p;
    }

    /**
     * What a kubelet restart does: stop serving, delete every socket in the directory (all but the
     * checkpoint), or with {@code wipeDirectory} the directory itself, then serve a new kubelet.sock.
     */
    public void restart(boolean wipeDirectory) {
        server.stop();
        plugins.values().forEach(Plugin::close);
        plugins.clear();
        forgetRegistrations(); // a new kubelet knows nothing; awaitRegistration waits for new ones
        try {
            if (wipeDirectory) {
                wipe();
                Thread.sleep(300); // let watchers see the directory gone before it returns
            } else {
                deleteFiles(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        serve();
    }

    /**
     * Removes the directory. A plugin that sees its socket go serves a fresh one at once, which can
     * land between emptying the directory and removing it; then empty it again.
     */
    private void wipe() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            deleteFiles(true);
            try {
                Files.delete(dir);
                return;
            } catch (DirectoryNotEmptyException e) {
                if (attempt == 50) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    private void deleteFiles(boolean withCheckpoint) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                if (withCheckpoint || !f.getFileName().toString().equals(CHECKPOINT)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** Stops serving and removes kubelet.sock. */
    @Override
    public void close() {
        plugins.values().forEach(Plugin::close);
        plugins.clear();
        if (server != null) {
            server.stop();
        }
        try {
            Files.deleteIfExists(socket());
        } catch (IOException ignored) {
            // a temp dir is removed with it
        }
    }

    /** Files in the directory, for assertions about sockets. */
    public List<String> files() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return new ArrayList<>();
        }
    }
}
