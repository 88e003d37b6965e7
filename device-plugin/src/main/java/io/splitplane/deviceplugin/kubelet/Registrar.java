package io.splitplane.deviceplugin.kubelet;

import io.grpc.ManagedChannel;
import io.splitplane.api.deviceplugin.PoolConfig;
import io.splitplane.deviceplugin.kubelet.v1beta1.RegisterRequest;
import io.splitplane.deviceplugin.kubelet.v1beta1.RegistrationGrpc;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Registers a pool with the kubelet ({@code v1beta1.Registration/Register} on kubelet.sock). The
 * kubelet calls the plugin back (GetDevicePluginOptions) before it answers, so the plugin must
 * already serve, and this call must not run on a thread the plugin's server needs.
 */
public final class Registrar {
    public static final String VERSION = "v1beta1";
    public static final String KUBELET_SOCKET = "kubelet.sock";
    /** The kubelet itself waits up to 10 s for the plugin; leave it room. */
    private static final long TIMEOUT_MS = 15_000;

    private Registrar() {
    }

    /**
     * @throws io.grpc.StatusRuntimeException when the kubelet refuses or cannot be reached
     */
    public static void register(Path devicePluginDir, PoolConfig pool) {
        ManagedChannel channel = UdsGrpc.channel(devicePluginDir.resolve(KUBELET_SOCKET));
        try {
            RegistrationGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .register(RegisterRequest.newBuilder().setVersion(VERSION).setEndpoint(pool.endpoint())
                            .setResourceName(pool.resourceName()).setOptions(PoolEndpoint.options()).build());
        } finally {
            UdsGrpc.close(channel);
        }
    }
}
