package io.splitplane.deviceplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.deviceplugin.kubelet.v1beta1.ContainerAllocateResponse;
import io.splitplane.deviceplugin.kubelet.v1beta1.Mount;
import io.splitplane.deviceplugin.testing.HandoverClient;
import io.splitplane.deviceplugin.testing.KubeletStandIn;
import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.unix.SeqpacketMessage;
import io.splitplane.kernel.unix.SeqpacketSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The XSKMAP hand-over of a {@code uds} pool end to end: Allocate through the kubelet stand-in,
 * the map pinned where the CNI pins it, and a client in another process that asks for it, checked
 * against the PodResources stand-in (real v1 protobuf).
 */
class HandoverTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void theAllocatedPodGetsAWorkingMapFdAndOthersAreRefused() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 2)) {
            f.start(f.poolConfig("uds"));
            f.kubelet.awaitRegistration("afxdp/fast", WAIT);
            KubeletStandIn.Plugin plugin = f.kubelet.plugin("afxdp/fast");
            plugin.awaitUpdate(u -> u.devices().size() == 2, WAIT);
            String a = f.netdevs.get(0);
            String b = f.netdevs.get(1);

            // The kubelet records the pod's devices (set here first, so the sweep of sockets whose pod
            // is gone, every 300 ms in this fixture, cannot race the test).
            f.podResources.assign("default", "app-1", "main", "afxdp/fast", List.of(a));
            ContainerAllocateResponse r = plugin.allocate(List.of(a)).getContainerResponses(0);
            assertEquals(a, r.getEnvsOrThrow("AFXDP_DEVICES_FAST"));
            assertEquals("/run/splitplane/handover/fast/xsk.sock", r.getEnvsOrThrow("AFXDP_HANDOVER_FAST"));
            assertEquals(1, r.getMountsCount(), "uds pools mount the socket directory only, not bpffs");
            Mount m = r.getMounts(0);
            assertEquals("/run/splitplane/handover/fast", m.getContainerPath());
            Path socket = Path.of(m.getHostPath()).resolve("xsk.sock");
            assertTrue(Files.exists(socket), "the socket serves when Allocate returns");
            XskMapPaths paths = f.daemon.config().xskMapPaths();
            assertTrue(Files.isDirectory(paths.hostDirectory(a)), "the pin directory is ready for the CNI");

            assertEquals("error no XSKMAP pinned at " + paths.hostMap(a) + " (has the CNI set up " + a + "?): ",
                    run(socket, "app-1", "default", a).substring(0, ("error no XSKMAP pinned at " + paths.hostMap(a)
                            + " (has the CNI set up " + a + "?): ").length()));

            // What the CNI does: pin the classifier's XSKMAP in the netdev's directory.
            try (BpfMap xsks = BpfMap.create(BpfMap.TYPE_XSKMAP, "xsks_map", 4, 4, 4, 0)) {
                xsks.pin(paths.hostMap(a));
                f.net.onClose(() -> BpfMap.unpin(paths.hostMap(a)));

                assertEquals("ok id=" + xsks.id() + " type=" + BpfMap.TYPE_XSKMAP + " insert=done non-xsk=EOPNOTSUPP",
                        run(socket, "app-1", "default", a), "another process received and used the same map");
                assertEquals("refused pod default/intruder does not hold " + a + " of afxdp/fast",
                        run(socket, "intruder", "default", a));
                assertEquals("refused pod other/app-1 does not hold " + a + " of afxdp/fast",
                        run(socket, "app-1", "other", a));
                assertEquals("refused netdev " + b + " is not part of this allocation (" + a + ")",
                        run(socket, "app-1", "default", b));
                try (SeqpacketSocket raw = SeqpacketSocket.connect(socket)) {
                    raw.send("{\"pod\":\"Bad_Name\",\"namespace\":\"default\",\"netdev\":\"x\"}"
                            .getBytes(StandardCharsets.UTF_8));
                    SeqpacketMessage answer = raw.receive(4096, WAIT).orElseThrow();
                    assertTrue(answer.fd().isEmpty());
                    assertEquals("{\"status\":\"error\",\"reason\":\"invalid config in request: pod: not a pod"
                            + " name: 'Bad_Name'\"}", new String(answer.data(), StandardCharsets.UTF_8));
                }
            }
            assertTrue(f.podResources.listCalls() >= 3, "the claim was checked with the kubelet each time");
            assertEquals(1.0, f.metrics.count("splitplane_deviceplugin_handover_requests", "pool", "fast", "status",
                    "ok"));
            assertEquals(3.0, f.metrics.count("splitplane_deviceplugin_handover_requests", "pool", "fast", "status",
                    "refused"));

            // A new allocation of the same netdev (the old pod is gone) replaces the old socket.
            ContainerAllocateResponse again = plugin.allocate(List.of(a)).getContainerResponses(0);
            Path newSocket = Path.of(again.getMounts(0).getHostPath()).resolve("xsk.sock");
            assertTrue(Files.exists(newSocket));
            assertTrue(!Files.exists(socket), "the previous allocation's socket is gone");
            Thread.sleep(900);
            assertTrue(Files.exists(newSocket), "app-1 still holds " + a + ": its socket stays");

            // The pod ends: the kubelet's PodResources no longer lists it; the socket goes.
            f.podResources.release("default", "app-1");
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !Files.exists(newSocket));
            assertTrue(!Files.exists(newSocket.getParent()), "with its directory");
            assertTrue(f.daemon.allocator().handoverServers().isEmpty());

            ContainerAllocateResponse third = plugin.allocate(List.of(b)).getContainerResponses(0);
            Path thirdSocket = Path.of(third.getMounts(0).getHostPath()).resolve("xsk.sock");
            assertTrue(Files.exists(thirdSocket));
            f.daemon.close();
            assertTrue(!Files.exists(thirdSocket.getParent()), "shutdown removes the hand-over directories");
        }
    }

    /** Runs {@link HandoverClient} in a JVM of its own; returns its one line of output. */
    private static String run(Path socket, String pod, String namespace, String netdev) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), HandoverClient.class.getName(), socket.toString(), pod,
                namespace, netdev));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the hand-over client did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String[] lines = out.split("\n");
        return lines[lines.length - 1];
    }
}
