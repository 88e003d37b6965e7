package io.splitplane.deviceplugin.handover;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.splitplane.deviceplugin.kubelet.podresources.v1.ContainerDevices;
import io.splitplane.deviceplugin.kubelet.podresources.v1.ContainerResources;
import io.splitplane.deviceplugin.kubelet.podresources.v1.ListPodResourcesRequest;
import io.splitplane.deviceplugin.kubelet.podresources.v1.PodResources;
import io.splitplane.deviceplugin.kubelet.podresources.v1.PodResourcesListerGrpc;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Asks the kubelet's PodResources API (v1, {@code List}) which pod holds a device: the
 * authority on who was given what, since the kubelet alone knows which pod an Allocate was for.
 * {@code List} rather than {@code Get}, which older kubelets do not serve.
 */
public final class PodResourcesClient implements AutoCloseable {
    /** Where the kubelet serves the API. */
    public static final Path DEFAULT_SOCKET = Path.of("/var/lib/kubelet/pod-resources/kubelet.sock");
    private static final long TIMEOUT_MS = 10_000;
    /** Like Multus: pod lists on a busy node are large. */
    private static final int MAX_MESSAGE_BYTES = 16 << 20;

    private final Path socket;
    private final ManagedChannel channel;

    public PodResourcesClient(Path socket) {
        this.socket = socket;
        this.channel = Grpc.newChannelBuilder("unix:" + socket, InsecureChannelCredentials.create())
                .maxInboundMessageSize(MAX_MESSAGE_BYTES).build();
    }

    /**
     * Whether pod {@code namespace/pod} holds {@code deviceId} of {@code resource} in one of its
     * containers.
     *
     * @throws io.grpc.StatusRuntimeException when the kubelet cannot be asked
     */
    public boolean holds(String namespace, String pod, String resource, String deviceId) {
        var reply = PodResourcesListerGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .list(ListPodResourcesRequest.getDefaultInstance());
        for (PodResources p : reply.getPodResourcesList()) {
            if (!p.getName().equals(pod) || !p.getNamespace().equals(namespace)) {
                continue;
            }
            for (ContainerResources c : p.getContainersList()) {
                for (ContainerDevices d : c.getDevicesList()) {
                    if (d.getResourceName().equals(resource) && d.getDeviceIdsList().contains(deviceId)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Every device ID of {@code resource} that a container of some pod holds.
     *
     * @throws io.grpc.StatusRuntimeException when the kubelet cannot be asked
     */
    public Set<String> held(String resource) {
        var reply = PodResourcesListerGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .list(ListPodResourcesRequest.getDefaultInstance());
        Set<String> ids = new HashSet<>();
        for (PodResources p : reply.getPodResourcesList()) {
            for (ContainerResources c : p.getContainersList()) {
                for (ContainerDevices d : c.getDevicesList()) {
                    if (d.getResourceName().equals(resource)) {
                        ids.addAll(d.getDeviceIdsList());
                    }
                }
            }
        }
        return ids;
    }

    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
