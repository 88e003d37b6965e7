package io.splitplane.deviceplugin.kubelet;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.splitplane.api.deviceplugin.PoolConfig;
import io.splitplane.deviceplugin.allocation.AllocationException;
import io.splitplane.deviceplugin.allocation.PreferredAllocation;
import io.splitplane.deviceplugin.discovery.PoolDevice;
import io.splitplane.deviceplugin.kubelet.v1beta1.AllocateRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.AllocateResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerAllocateRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerAllocateResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerPreferredAllocationRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerPreferredAllocationResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.Device;
import io.splitplane.deviceplugin.kubelet.v1beta1.DevicePluginGrpc;
import io.splitplane.deviceplugin.kubelet.v1beta1.DevicePluginOptions;
import io.splitplane.deviceplugin.kubelet.v1beta1.Empty;
import io.splitplane.deviceplugin.kubelet.v1beta1.ListAndWatchResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.NUMANode;
import io.splitplane.deviceplugin.kubelet.v1beta1.PreStartContainerRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.PreStartContainerResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.PreferredAllocationRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.PreferredAllocationResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.TopologyInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pool's device-plugin server ({@code v1beta1.DevicePlugin}) on its socket in the kubelet's
 * device-plugins directory. ListAndWatch sends the full list at once and again, to every open
 * stream, whenever {@link #publish} is given a new one. What a container gets is decided by the
 * {@link Allocations} it is given, which devices to prefer by {@link PreferredAllocation}; this class
 * speaks the protocol.
 */
public final class PoolEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PoolEndpoint.class.getName());
    public static final String HEALTHY = "Healthy";
    public static final String UNHEALTHY = "Unhealthy";

    /** What Allocate needs from the daemon. */
    public interface Allocations {
        /**
         * The response for one container.
         *
         * @throws AllocationException when the request must be refused
         */
        ContainerAllocateResponse allocate(PoolConfig pool, List<String> deviceIds);
    }

    private final PoolConfig pool;
    private final Path socket;
    private final Allocations allocations;
    private final Set<ServerCallStreamObserver<ListAndWatchResponse>> watchers = ConcurrentHashMap.newKeySet();
    private volatile List<PoolDevice> devices;
    private UdsGrpc.Running running;

    public PoolEndpoint(PoolConfig pool, Path devicePluginDir, List<PoolDevice> initial, Allocations allocations) {
        this.pool = pool;
        this.socket = devicePluginDir.resolve(pool.endpoint());
        this.allocations = allocations;
        this.devices = List.copyOf(initial);
    }

    /** Serves on the socket, replacing a stale socket file of an earlier run. */
    public synchronized PoolEndpoint start() {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the stale socket " + socket, e);
        }
        running = UdsGrpc.serve(socket, new Service());
        LOG.log(Level.INFO, "event=serving pool=" + pool.name() + " socket=" + socket);
        return this;
    }

    public PoolConfig pool() {
        return pool;
    }

    public Path socket() {
        return socket;
    }

    public List<PoolDevice> devices() {
        return devices;
    }

    /** Sends {@code list} to every ListAndWatch stream (and to every later one). */
    public synchronized void publish(List<PoolDevice> list) {
        devices = List.copyOf(list);
        ListAndWatchResponse response = toResponse(devices);
        for (ServerCallStreamObserver<ListAndWatchResponse> w : watchers) {
            send(w, response);
        }
    }

    private void send(ServerCallStreamObserver<ListAndWatchResponse> w, ListAndWatchResponse response) {
        if (w.isCancelled()) {
            watchers.remove(w);
            return;
        }
        try {
            w.onNext(response);
        } catch (RuntimeException e) {
            watchers.remove(w);
            LOG.log(Level.WARNING, "event=list_and_watch_send_failed pool=" + pool.name() + " error=\""
                    + e.getMessage() + "\"");
        }
    }

    /** Number of open ListAndWatch streams. */
    public int watchers() {
        return watchers.size();
    }

    static ListAndWatchResponse toResponse(List<PoolDevice> list) {
        ListAndWatchResponse.Builder b = ListAndWatchResponse.newBuilder();
        for (PoolDevice d : list) {
            Device.Builder device = Device.newBuilder().setID(d.id()).setHealth(d.healthy() ? HEALTHY : UNHEALTHY);
            d.numaNode().ifPresent(n -> device.setTopology(TopologyInfo.newBuilder()
                    .addNodes(NUMANode.newBuilder().setID(n))));
            b.addDevices(device);
        }
        return b.build();
    }

    private final class Service extends DevicePluginGrpc.DevicePluginImplBase {
        @Override
        public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> reply) {
            reply.onNext(options());
            reply.onCompleted();
        }

        @Override
        public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> reply) {
            ServerCallStreamObserver<ListAndWatchResponse> w = (ServerCallStreamObserver<ListAndWatchResponse>) reply;
            w.setOnCancelHandler(() -> watchers.remove(w));
            synchronized (PoolEndpoint.this) {
                watchers.add(w);
                send(w, toResponse(devices));
            }
        }

        @Override
        public void getPreferredAllocation(PreferredAllocationRequest request,
                                           StreamObserver<PreferredAllocationResponse> reply) {
            Map<String, PoolDevice> known = new HashMap<>();
            devices.forEach(d -> known.put(d.id(), d));
            PreferredAllocationResponse.Builder b = PreferredAllocationResponse.newBuilder();
            for (ContainerPreferredAllocationRequest c : request.getContainerRequestsList()) {
                b.addContainerResponses(ContainerPreferredAllocationResponse.newBuilder().addAllDeviceIDs(
                        PreferredAllocation.choose(c.getAvailableDeviceIDsList(), c.getMustIncludeDeviceIDsList(),
                                c.getAllocationSize(), known)));
            }
            reply.onNext(b.build());
            reply.onCompleted();
        }

        @Override
        public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> reply) {
            AllocateResponse.Builder b = AllocateResponse.newBuilder();
            try {
                for (ContainerAllocateRequest c : request.getContainerRequestsList()) {
                    b.addContainerResponses(allocations.allocate(pool, c.getDevicesIdsList()));
                }
            } catch (AllocationException e) {
                Status status = switch (e.reason()) {
                    case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                    case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
                    case INTERNAL -> Status.INTERNAL;
                };
                if (e.reason() == AllocationException.Reason.FAILED_PRECONDITION) {
                    publish(devices); // the kubelet's view may be stale: tell it again
                }
                reply.onError(status.withDescription(e.getMessage()).asRuntimeException());
                return;
            }
            reply.onNext(b.build());
            reply.onCompleted();
        }

        @Override
        public void preStartContainer(PreStartContainerRequest request, StreamObserver<PreStartContainerResponse> reply) {
            reply.onNext(PreStartContainerResponse.getDefaultInstance());
            reply.onCompleted();
        }
    }

    /** What Register and GetDevicePluginOptions announce. */
    public static DevicePluginOptions options() {
        return DevicePluginOptions.newBuilder().setPreStartRequired(false).setGetPreferredAllocationAvailable(true)
                .build();
    }

    /** Ends every ListAndWatch stream, stops serving and removes the socket file. */
    @Override
    public synchronized void close() {
        for (ServerCallStreamObserver<ListAndWatchResponse> w : watchers) {
            try {
                w.onCompleted();
            } catch (RuntimeException ignored) {
                // the stream is already gone
            }
        }
        watchers.clear();
        if (running != null) {
            running.stop();
            running = null;
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "event=socket_cleanup_failed socket=" + socket + " error=\"" + e + "\"");
        }
    }
}
