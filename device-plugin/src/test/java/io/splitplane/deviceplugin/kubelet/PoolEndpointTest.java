package io.splitplane.deviceplugin.kubelet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.splitplane.api.deviceplugin.DeviceSelector;
import io.splitplane.api.deviceplugin.PoolConfig;
import io.splitplane.deviceplugin.discovery.PoolDevice;
import io.splitplane.deviceplugin.kubelet.v1beta1.DevicePluginGrpc;
import io.splitplane.deviceplugin.kubelet.v1beta1.Empty;
import io.splitplane.deviceplugin.kubelet.v1beta1.ListAndWatchResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolEndpointTest {
    @TempDir
    Path dir;

    @Test
    void listAndWatchSendsTheListThenEveryNewOneWithTopology() {
        PoolDevice a = new PoolDevice("eth1", true, OptionalInt.of(1), Optional.of("0000:18:00.0"));
        PoolDevice b = new PoolDevice("eth2", true, OptionalInt.empty(), Optional.empty());
        PoolEndpoint endpoint = new PoolEndpoint(PoolConfig.of("p", DeviceSelector.names("eth*")), dir,
                List.of(a, b), (pool, ids) -> { throw new UnsupportedOperationException(); }).start();
        try {
            ManagedChannel channel = UdsGrpc.channel(endpoint.socket());
            try {
                Iterator<ListAndWatchResponse> stream = DevicePluginGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).listAndWatch(Empty.getDefaultInstance());
                ListAndWatchResponse first = stream.next();
                assertEquals(2, first.getDevicesCount());
                assertEquals("Healthy", first.getDevices(0).getHealth());
                assertEquals(1, first.getDevices(0).getTopology().getNodes(0).getID());
                endpoint.publish(List.of(a, new PoolDevice("eth2", false, OptionalInt.empty(), Optional.empty())));
                ListAndWatchResponse second = stream.next();
                assertEquals("Unhealthy", second.getDevices(1).getHealth());
                assertEquals(2, second.getDevicesCount());
                long start = System.nanoTime();
                endpoint.close();
                long closeMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(closeMs < 1000, "closing with a stream open took " + closeMs + " ms");
                assertFalse(stream.hasNext(), "the stream ended with the endpoint");
                assertFalse(Files.exists(endpoint.socket()), "the socket file is removed");
            } finally {
                UdsGrpc.close(channel);
            }
        } finally {
            endpoint.close();
        }
    }
}
