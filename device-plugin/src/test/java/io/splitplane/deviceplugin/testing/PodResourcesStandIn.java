package io.splitplane.deviceplugin.testing;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.splitplane.deviceplugin.kubelet.UdsGrpc;
import io.splitplane.deviceplugin.kubelet.podresources.v1.ContainerDevices;
import io.splitplane.deviceplugin.kubelet.podresources.v1.ContainerResources;
import io.splitplane.deviceplugin.kubelet.podresources.v1.GetPodResourcesRequest;
import io.splitplane.deviceplugin.kubelet.podresources.v1.GetPodResourcesResponse;
import io.splitplane.deviceplugin.kubelet.podresources.v1.ListPodResourcesRequest;
import io.splitplane.deviceplugin.kubelet.podresources.v1.ListPodResourcesResponse;
import io.splitplane.deviceplugin.kubelet.podresources.v1.PodResources;
import io.splitplane.deviceplugin.kubelet.podresources.v1.PodResourcesListerGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kubelet's PodResources API ({@code v1.PodResourcesLister}, List and Get) for tests, over the
 * real v1 protobuf on a real unix socket, answering from a table the test fills with
 * {@link #assign}.
 */
public final class PodResourcesStandIn implements AutoCloseable {
    private final Path socket;
    private final Map<String, PodResources> pods = new ConcurrentHashMap<>();
    private final AtomicInteger listCalls = new AtomicInteger();
    private final UdsGrpc.Running server;

    public PodResourcesStandIn(Path socket) {
        this.socket = socket;
        try {
            Files.createDirectories(socket.getParent());
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server = UdsGrpc.serve(socket, new Service());
    }

    public Path socket() {
        return socket;
    }

    /** Records that container {@code container} of pod {@code namespace/pod} holds {@code deviceIds} of {@code resource}. */
    public void assign(String namespace, String pod, String container, String resource, List<String> deviceIds) {
        pods.put(namespace + "/" + pod, PodResources.newBuilder().setName(pod).setNamespace(namespace)
                .addContainers(ContainerResources.newBuilder().setName(container).addDevices(ContainerDevices
                        .newBuilder().setResourceName(resource).addAllDeviceIds(deviceIds))).build());
    }

    /** The pod is gone: it holds nothing any more. */
    public void release(String namespace, String pod) {
        pods.remove(namespace + "/" + pod);
    }

    public int listCalls() {
        return listCalls.get();
    }

    private final class Service extends PodResourcesListerGrpc.PodResourcesListerImplBase {
        @Override
        public void list(ListPodResourcesRequest request, StreamObserver<ListPodResourcesResponse> reply) {
            listCalls.incrementAndGet();
            reply.onNext(ListPodResourcesResponse.newBuilder().addAllPodResources(pods.values()).build());
            reply.onCompleted();
        }

        @Override
        public void get(GetPodResourcesRequest request, StreamObserver<GetPodResourcesResponse> reply) {
            PodResources p = pods.get(request.getPodNamespace() + "/" + request.getPodName());
            if (p == null) {
                reply.onError(Status.NOT_FOUND.withDescription("pod " + request.getPodNamespace() + "/"
                        + request.getPodName() + " not found").asRuntimeException());
                return;
            }
            reply.onNext(GetPodResourcesResponse.newBuilder().setPodResources(p).build());
            reply.onCompleted();
        }
    }

    @Override
    public void close() {
        server.stop();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // a temp dir is removed with it
        }
    }
}
