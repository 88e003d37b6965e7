package io.splitplane.deviceplugin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerAllocateResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.Mount;
import io.splitplane.deviceplugin.testing.KubeletStandIn;
import io.splitplane.deviceplugin.testing.KubeletStandIn.Registration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon against the kubelet stand-in (real v1beta1 protobuf over unix sockets) and real veth
 * pairs in network namespaces.
 */
class DevicePluginKubeletTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String HEALTHY = "Healthy";
    private static final String UNHEALTHY = "Unhealthy";

    @TempDir
    Path dir;

    @Test
    void registersWithOptionsFetchedInsideRegisterAndSendsTheList() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 2)) {
            f.start(f.poolConfig("pinned"));
            Registration r = f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            assertEquals("v1beta1", r.request().getVersion());
            assertEquals("afxdp-fast.sock", r.request().getEndpoint());
            assertTrue(r.request().getOptions().getGetPreferredAllocationAvailable());
            assertTrue(r.optionsFromPlugin().getGetPreferredAllocationAvailable(),
                    "the stand-in got the options by calling the plugin back inside Register");
            assertFalse(r.optionsFromPlugin().getPreStartRequired());

            KubeletStandIn.Plugin plugin = f.kubelet.plugin("afxdp/fast");
            KubeletStandIn.Update first = plugin.awaitUpdate(u -> u.devices().size() == 2, WAIT);
            assertEquals(Map.of(f.netdevs.get(0), HEALTHY, f.netdevs.get(1), HEALTHY), first.health());
            assertFalse(first.devices().get(0).hasTopology(), "veth has no NUMA node");
            // The stand-in records the registration before its answer reaches the daemon.
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> f.daemon.isRegistered("fast"));
        }
    }

    @Test
    void healthFollowsLinkDownUpDeleteAndNamespaceMoves() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 2)) {
            f.start(f.poolConfig("pinned"));
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            KubeletStandIn.Plugin plugin = f.kubelet.plugin("afxdp/fast");
            String a = f.netdevs.get(0);
            String b = f.netdevs.get(1);
            plugin.awaitUpdate(u -> u.devices().size() == 2, WAIT);

            f.ip("link", "set", a, "down");
            KubeletStandIn.Update down = plugin.awaitHealth(a, UNHEALTHY, WAIT);
            assertEquals(Map.of(a, UNHEALTHY, b, HEALTHY), down.health(), "a full list, the other device untouched");
            f.ip("link", "set", a, "up");
            plugin.awaitHealth(a, HEALTHY, WAIT);

            f.ip("link", "set", a, "netns", f.peer);
            assertEquals(Map.of(a, UNHEALTHY, b, HEALTHY), plugin.awaitHealth(a, UNHEALTHY, WAIT).health(),
                    "moved away outside an allocation: still listed, unhealthy");
            io.splitplane.kernel.testing.Shell.ipIn(f.peer, "link", "set", a, "netns", f.node);
            f.ip("link", "set", a, "up");
            plugin.awaitHealth(a, HEALTHY, WAIT);

            f.ip("link", "del", b);
            assertEquals(Map.of(a, HEALTHY, b, UNHEALTHY), plugin.awaitHealth(b, UNHEALTHY, WAIT).health(),
                    "a deleted device stays in the list, so the node's capacity does not change");

            String c = f.addDevice();
            assertEquals(Map.of(a, HEALTHY, b, UNHEALTHY, c, HEALTHY), plugin.awaitHealth(c, HEALTHY, WAIT).health());
            assertEquals(1.0, f.metrics.registry().get("splitplane_deviceplugin_devices").tag("pool", "fast")
                    .tag("health", UNHEALTHY).gauge().value());
        }
    }

    @Test
    void netdevsWithAddressesAreLeftToTheNodeWhenThePoolSaysSo() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 2)) {
            String a = f.netdevs.get(0);
            String b = f.netdevs.get(1);
            f.ip("address", "add", "192.0.2.1/32", "dev", b);
            f.start("{\"pools\":[{\"name\":\"fast\",\"devices\":{\"names\":[\"" + f.pattern()
                    + "\"],\"withoutAddresses\":true}}],\"bpffsRoot\":\"" + f.bpffs + "\"}");
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            KubeletStandIn.Plugin plugin = f.kubelet.plugin("afxdp/fast");
            assertEquals(Map.of(a, HEALTHY), plugin.awaitUpdate(u -> !u.devices().isEmpty(), WAIT).health(),
                    b + " carries an address: not the pool's (its IPv6 link-local address does not count)");
            f.ip("address", "add", "192.0.2.2/32", "dev", a);
            assertEquals(Map.of(a, UNHEALTHY), plugin.awaitHealth(a, UNHEALTHY, WAIT).health(),
                    "a member that gets an address is no longer selected");
            f.ip("address", "del", "192.0.2.2/32", "dev", a);
            plugin.awaitHealth(a, HEALTHY, WAIT);
            f.ip("address", "del", "192.0.2.1/32", "dev", b);
            assertEquals(Map.of(a, HEALTHY, b, HEALTHY), plugin.awaitHealth(b, HEALTHY, WAIT).health());
        }
    }

    @Test
    void allocateGivesEnvAndPinDirectoryMountsAndRefusesWhatItCannotGive() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 2)) {
            f.start(f.poolConfig("pinned"));
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            KubeletStandIn.Plugin plugin = f.kubelet.plugin("afxdp/fast");
            String a = f.netdevs.get(0);
            String b = f.netdevs.get(1);
            plugin.awaitUpdate(u -> u.devices().size() == 2, WAIT);

            ContainerAllocateResponse r = plugin.allocate(List.of(a, b)).getContainerResponses(0);
            assertEquals(Map.of("AFXDP_DEVICES_FAST", a + "," + b), r.getEnvsMap());
            assertEquals(2, r.getMountsCount());
            Mount m = r.getMounts(0);
            assertEquals(f.bpffs.resolve("afxdp").resolve(a).toString(), m.getHostPath());
            assertEquals("/run/splitplane/afxdp/" + a, m.getContainerPath());
            assertTrue(Files.isDirectory(Path.of(m.getHostPath())), "the pin directory exists when Allocate returns");
            assertEquals("bpf", Files.getFileStore(Path.of(m.getHostPath())).type(), "and lives on bpffs");

            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                    () -> plugin.allocate(List.of("eth9")));
            assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getStatus().getCode());
            assertEquals("unknown device 'eth9' for afxdp/fast (devices: [" + a + ", " + b + "])",
                    unknown.getStatus().getDescription());

            // An allocated device that the CNI moves into the pod is in use, not unhealthy.
            plugin.drain();
            f.ip("link", "set", a, "netns", f.peer);
            f.ip("link", "set", b, "down");
            KubeletStandIn.Update u = plugin.awaitHealth(b, UNHEALTHY, WAIT);
            assertEquals(HEALTHY, u.health().get(a), "allocated and moved away: healthy");

            StatusRuntimeException unhealthy = assertThrows(StatusRuntimeException.class,
                    () -> plugin.allocate(List.of(b)));
            assertEquals(Status.Code.FAILED_PRECONDITION, unhealthy.getStatus().getCode());
            assertTrue(unhealthy.getStatus().getDescription().contains("is unhealthy"),
                    unhealthy.getStatus().getDescription());
            assertEquals(1.0, f.metrics.count("splitplane_deviceplugin_allocations", "pool", "fast", "result", "ok"));
            assertEquals(1.0, f.metrics.count("splitplane_deviceplugin_allocations", "pool", "fast", "result",
                    "invalid_argument"));
            assertEquals(1.0, f.metrics.count("splitplane_deviceplugin_allocations", "pool", "fast", "result",
                    "failed_precondition"));

            // The pod is gone: the CNI moves the netdev home; then it is an ordinary member again.
            io.splitplane.kernel.testing.Shell.ipIn(f.peer, "link", "set", a, "netns", f.node);
            plugin.awaitHealth(a, UNHEALTHY, WAIT); // home, but down after the move
            f.ip("link", "set", a, "up");
            plugin.awaitHealth(a, HEALTHY, WAIT);
            f.ip("link", "set", a, "netns", f.peer);
            plugin.awaitHealth(a, UNHEALTHY, WAIT);
        }
    }

    @Test
    void preferredAllocationKeepsMustIncludeAndFillsByName() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 3)) {
            f.start(f.poolConfig("pinned"));
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            KubeletStandIn.Plugin plugin = f.kubelet.plugin("afxdp/fast");
            plugin.awaitUpdate(u -> u.devices().size() == 3, WAIT);
            List<String> d = f.netdevs;
            assertEquals(List.of(d.get(2), d.get(0)), plugin.preferred(List.of(d.get(1), d.get(0), d.get(2)),
                    List.of(d.get(2)), 2));
            f.ip("link", "set", d.get(0), "down");
            plugin.awaitHealth(d.get(0), UNHEALTHY, WAIT);
            assertEquals(List.of(d.get(1), d.get(2)), plugin.preferred(d, List.of(), 2), "healthy devices first");
        }
    }

    @Test
    void reRegistersWhenTheKubeletRestartsOrItsSocketIsDeleted() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 1)) {
            f.start(f.poolConfig("pinned"));
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            Path socket = f.devicePluginDir.resolve("afxdp-fast.sock");
            assertTrue(Files.exists(socket));
            // The stand-in records a registration before it answers; a restart in between cancels the
            // answer, and the plugin rightly counts that call failed. Each step waits for the answer.
            awaitRegisteredOk(f, 1);

            f.kubelet.restart(false);
            Registration again = f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            assertEquals("afxdp-fast.sock", again.request().getEndpoint());
            f.kubelet.plugin("afxdp/fast").awaitUpdate(u -> u.devices().size() == 1, WAIT);
            assertTrue(Files.exists(socket), "served again on a fresh socket");
            awaitRegisteredOk(f, 2);

            f.kubelet.restart(true);
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            f.kubelet.plugin("afxdp/fast").awaitUpdate(u -> u.devices().size() == 1, WAIT);
            awaitRegisteredOk(f, 3);

            f.kubelet.forgetRegistrations();
            Files.delete(socket);
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            KubeletStandIn.Plugin plugin = f.kubelet.plugin("afxdp/fast");
            plugin.awaitUpdate(u -> u.devices().size() == 1, WAIT);
            f.ip("link", "set", f.netdevs.get(0), "down");
            // What the kubelet's current connection lists: the watcher may see the socket's deletion and
            // the fresh socket as two changes and register twice, and the kubelet keeps only the latest.
            await().atMost(WAIT).until(() -> {
                KubeletStandIn.Update u = f.kubelet.plugin("afxdp/fast").latest();
                return u != null && UNHEALTHY.equals(u.health().get(f.netdevs.get(0)));
            });
            awaitRegisteredOk(f, 4);
        }
    }

    /** Waits until the plugin has counted {@code n} Register calls answered OK. */
    private static void awaitRegisteredOk(PluginFixture f, int n) {
        await().atMost(WAIT).until(() -> f.metrics.count("splitplane_deviceplugin_registrations", "pool", "fast",
                "result", "ok") >= n);
    }

    @Test
    void waitsForTheKubeletBeforeRegistering() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 1)) {
            f.kubelet.close(); // no kubelet.sock yet
            f.start(f.poolConfig("pinned"));
            Thread.sleep(300);
            assertFalse(f.daemon.isRegistered("fast"));
            assertTrue(f.kubelet.registrations().isEmpty());
            f.kubelet.restart(false);
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
        }
    }

    @Test
    void configChangesReloadPoolsAndBadConfigsAreRefusedKeepingTheOldOne() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 2)) {
            String a = f.netdevs.get(0);
            String b = f.netdevs.get(1);
            f.start("{\"pools\":[{\"name\":\"fast\",\"devices\":{\"names\":[\"" + a + "\"]}}],\"bpffsRoot\":\""
                    + f.bpffs + "\"}");
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            f.kubelet.plugin("afxdp/fast").awaitUpdate(u -> u.health().equals(Map.of(a, HEALTHY)), WAIT);

            f.writeConfig("{\"pools\":[{\"name\":\"fast\",\"devices\":{\"names\":[\"" + a + "\"]}},"
                    + "{\"name\":\"slow\",\"devices\":{\"names\":[\"" + b + "\"]}}],\"bpffsRoot\":\"" + f.bpffs + "\"}");
            f.kubelet.awaitRegistration("afxdp/slow", WAIT);
            f.kubelet.plugin("afxdp/slow").awaitUpdate(u -> u.health().equals(Map.of(b, HEALTHY)), WAIT);
            assertEquals(List.of("fast", "slow"), f.daemon.pools());

            f.writeConfig("{\"pools\":[{\"name\":\"fast\",\"devices\":{\"names\":[\"" + a + "\"]},\"handover\":1}]}");
            org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                    f.metrics.count("splitplane_deviceplugin_config_reloads", "result", "invalid") == 1.0);
            assertEquals(List.of("fast", "slow"), f.daemon.pools(), "a bad config changes nothing");

            f.writeConfig("{\"pools\":[{\"name\":\"slow\",\"devices\":{\"names\":[\"" + b + "\"]}}],\"nodes\":["
                    + "{\"node\":\"node-1\",\"pools\":[{\"pool\":\"slow\",\"devices\":{\"names\":[\"" + a + "\"]}}]}],"
                    + "\"bpffsRoot\":\"" + f.bpffs + "\"}");
            f.kubelet.awaitRegistration("afxdp/slow", WAIT);
            f.kubelet.plugin("afxdp/slow").awaitUpdate(u -> u.health().equals(Map.of(a, HEALTHY)), WAIT);
            assertEquals(List.of("slow"), f.daemon.pools(), "pool fast is gone; this node's override applies");
            org.awaitility.Awaitility.await().atMost(WAIT)
                    .until(() -> !Files.exists(f.devicePluginDir.resolve("afxdp-fast.sock")));
        }
    }

    @Test
    void shutdownRemovesItsSocketsAndMetricsDescribeThePools() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 2)) {
            f.start(f.poolConfig("pinned"));
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            KubeletStandIn.Plugin plugin = f.kubelet.plugin("afxdp/fast");
            plugin.awaitUpdate(u -> u.devices().size() == 2, WAIT);
            int port = f.metrics.serve(0);
            var http = java.net.http.HttpClient.newHttpClient();
            String text = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(text.contains("splitplane_deviceplugin_devices{health=\"Healthy\",pool=\"fast\"} 2.0"), text);
            assertTrue(text.contains("splitplane_deviceplugin_registrations_total{pool=\"fast\",result=\"ok\"} 1.0"),
                    text);
            assertEquals(List.of("afxdp-fast.sock", "kubelet.sock"), f.kubelet.files());
            f.daemon.close();
            assertEquals(List.of("kubelet.sock"), f.kubelet.files());
            org.awaitility.Awaitility.await().atMost(WAIT).until(plugin::streamEnded);
        }
    }
}
