package io.splitplane.deviceplugin.bench;

import io.splitplane.deviceplugin.DevicePluginDaemon;
import io.splitplane.deviceplugin.handover.PodResourcesClient;
import io.splitplane.deviceplugin.kubelet.UdsGrpc;
import io.splitplane.deviceplugin.kubelet.v1beta1.DevicePluginGrpc;
import io.splitplane.deviceplugin.kubelet.v1beta1.Empty;
import io.splitplane.deviceplugin.metrics.DevicePluginMetrics;
import io.splitplane.deviceplugin.testing.KubeletStandIn;
import io.splitplane.deviceplugin.testing.PodResourcesStandIn;
import io.splitplane.kernel.netlink.RtnetlinkEvent;
import io.splitplane.kernel.netlink.RtnetlinkGroup;
import io.splitplane.kernel.netlink.RtnetlinkListener;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netlink.RtnetlinkSubscription;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.TestNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The device plugin's two latencies, measured through the real parts (run as root):
 * <ol>
 *   <li>Allocate: a full round trip from the kubelet stand-in over the unix socket (gRPC, protobuf)
 *       to the daemon and back, for one container with one device of a pinned pool; anchor in the
 *       same run: the round trip of GetDevicePluginOptions, which does no work;</li>
 *   <li>health: from just before the netlink call that sets a pool netdev down (or up) to the
 *       moment the stand-in receives the ListAndWatch list showing it Unhealthy (Healthy); anchor in
 *       the same run: when a bare rtnetlink subscription in the same namespace sees the event.</li>
 * </ol>
 * Arguments: {@code [allocations] [flaps]} (default 5000 and 200). Prints medians and p99.
 */
public final class DevicePluginBench {
    private DevicePluginBench() {
    }

    public static void main(String[] args) throws Exception {
        // Per-event log lines (one per Allocate, two per flap) would be measured too.
        java.util.logging.Logger quiet = java.util.logging.Logger.getLogger("io.splitplane");
        quiet.setLevel(java.util.logging.Level.SEVERE);
        int allocations = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int flaps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path dir = Files.createTempDirectory("spt-dp-bench");
        try (TestNetwork net = new TestNetwork()) {
            String node = net.namespace("n");
            String peer = net.namespace("p");
            TestNetwork.Veth v = net.veth(node, peer);
            Path bpffs = net.bpffs();
            Path config = dir.resolve("devices.json");
            Files.writeString(config, "{\"pools\":[{\"name\":\"bench\",\"devices\":{\"names\":[\"" + v.a()
                    + "\"]}}],\"bpffsRoot\":\"" + bpffs + "\"}");
            try (NetNamespace ns = NetNamespace.open(node);
                 KubeletStandIn kubelet = new KubeletStandIn(dir.resolve("dp"));
                 PodResourcesStandIn podResources = new PodResourcesStandIn(dir.resolve("pr/kubelet.sock"));
                 PodResourcesClient pods = new PodResourcesClient(podResources.socket());
                 DevicePluginMetrics metrics = new DevicePluginMetrics();
                 DevicePluginDaemon daemon = DevicePluginDaemon.start(new DevicePluginDaemon.Settings(config,
                         kubelet.directory(), pods::holds, null, ns), metrics)) {
                kubelet.awaitRegistration("afxdp/bench", Duration.ofSeconds(10));
                KubeletStandIn.Plugin plugin = kubelet.plugin("afxdp/bench");
                plugin.awaitHealth(v.a(), "Healthy", Duration.ofSeconds(10));
                System.out.printf("machine: %d CPUs online, %s, JDK %s; pools %s%n",
                        Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                        System.getProperty("java.version"), daemon.pools());
                allocate(plugin, kubelet.directory().resolve("afxdp-bench.sock"), v.a(), allocations);
                health(plugin, ns, v.a(), flaps);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void allocate(KubeletStandIn.Plugin plugin, Path socket, String netdev, int n) {
        var channel = UdsGrpc.channel(socket);
        try {
            var stub = DevicePluginGrpc.newBlockingStub(channel);
            Histogram alloc = new Histogram(3);
            Histogram anchor = new Histogram(3);
            List<String> ids = List.of(netdev);
            for (int i = 0; i < n / 2; i++) { // warm-up: JIT, connections
                plugin.allocate(ids);
                stub.getDevicePluginOptions(Empty.getDefaultInstance());
            }
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                plugin.allocate(ids);
                long t1 = System.nanoTime();
                stub.getDevicePluginOptions(Empty.getDefaultInstance());
                long t2 = System.nanoTime();
                alloc.recordValue((t1 - t0) / 1000);
                anchor.recordValue((t2 - t1) / 1000);
            }
            System.out.printf("Allocate round trip (n=%d): median %.3f ms, p99 %.3f ms%n", n,
                    alloc.getValueAtPercentile(50) / 1000.0, alloc.getValueAtPercentile(99) / 1000.0);
            System.out.printf("  anchor GetDevicePluginOptions round trip: median %.3f ms, p99 %.3f ms%n",
                    anchor.getValueAtPercentile(50) / 1000.0, anchor.getValueAtPercentile(99) / 1000.0);
        } finally {
            UdsGrpc.close(channel);
        }
    }

    private static void health(KubeletStandIn.Plugin plugin, NetNamespace ns, String netdev, int flaps)
            throws Exception {
        Histogram down = new Histogram(3);
        Histogram up = new Histogram(3);
        Histogram anchorDown = new Histogram(3);
        LinkedBlockingQueue<Long> events = new LinkedBlockingQueue<>();
        Thread anchorThread = ns.threadFactory("bench-anchor").newThread(() -> {
            try (RtnetlinkSubscription s = RtnetlinkSubscription.open(EnumSet.of(RtnetlinkGroup.LINK))) {
                RtnetlinkListener l = new RtnetlinkListener() {
                    @Override
                    public void onEvent(RtnetlinkEvent e) {
                        if (e instanceof RtnetlinkEvent.LinkChanged c && c.link().name().equals(netdev)) {
                            events.add(System.nanoTime());
                        }
                    }

                    @Override
                    public void onResyncNeeded() {
                    }
                };
                while (!Thread.currentThread().isInterrupted()) {
                    s.poll(l, Duration.ofMillis(100));
                }
            }
        });
        anchorThread.setDaemon(true);
        anchorThread.start();
        Thread.sleep(200);
        try (RtnetlinkSocket rtnl = RtnetlinkSocket.open(ns)) {
            int ifindex = rtnl.ifindex(netdev);
            for (int i = 0; i < flaps + 20; i++) {
                boolean measured = i >= 20;
                plugin.drain();
                events.clear();
                long t0 = System.nanoTime();
                rtnl.setUp(ifindex, false);
                KubeletStandIn.Update u = plugin.awaitHealth(netdev, "Unhealthy", Duration.ofSeconds(10));
                Long seen = events.poll(10, TimeUnit.SECONDS);
                if (measured) {
                    down.recordValue((u.receivedNanos() - t0) / 1000);
                    if (seen != null) {
                        anchorDown.recordValue(Math.max(0, seen - t0) / 1000);
                    }
                }
                plugin.drain();
                long t1 = System.nanoTime();
                rtnl.setUp(ifindex, true);
                KubeletStandIn.Update back = plugin.awaitHealth(netdev, "Healthy", Duration.ofSeconds(10));
                if (measured) {
                    up.recordValue((back.receivedNanos() - t1) / 1000);
                }
            }
        } finally {
            anchorThread.interrupt();
            anchorThread.join(2000);
        }
        System.out.printf("link down -> Unhealthy at the kubelet stand-in (n=%d): median %.3f ms, p99 %.3f ms%n",
                flaps, down.getValueAtPercentile(50) / 1000.0, down.getValueAtPercentile(99) / 1000.0);
        System.out.printf("link up -> Healthy at the kubelet stand-in (n=%d): median %.3f ms, p99 %.3f ms%n",
                flaps, up.getValueAtPercentile(50) / 1000.0, up.getValueAtPercentile(99) / 1000.0);
        System.out.printf("  anchor: link down -> event at a bare rtnetlink subscription: median %.3f ms, p99 %.3f ms%n",
                anchorDown.getValueAtPercentile(50) / 1000.0, anchorDown.getValueAtPercentile(99) / 1000.0);
    }
}
