package io.splitplane.deviceplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.deviceplugin.testing.KubeletStandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as it runs on a node: its own JVM through the picocli entry point, stopped with SIGTERM. */
class DevicePluginProcessTest {
    @TempDir
    Path dir;

    @Test
    void theEntryPointServesRegistersExposesMetricsAndCleansUpOnSigterm() throws Exception {
        try (PluginFixture f = new PluginFixture(dir, 1)) {
            f.writeConfig(f.poolConfig("pinned"));
            Path log = dir.resolve("daemon.log");
            Path cniSocket = dir.resolve("cni").resolve("cni.sock");
            Process p = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), DevicePluginMain.class.getName(),
                    "--config", f.config.toString(), "--device-plugin-dir", f.devicePluginDir.toString(),
                    "--pod-resources-socket", f.podResources.socket().toString(), "--metrics-port", "0",
                    "--node-name", "node-1", "--netns", f.node, "--cni-socket", cniSocket.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                f.kubelet.awaitRegistration("afxdp/fast", Duration.ofSeconds(60));
                KubeletStandIn.Plugin plugin = f.kubelet.plugin("afxdp/fast");
                assertEquals(Map.of(f.netdevs.get(0), "Healthy"),
                        plugin.awaitUpdate(u -> !u.devices().isEmpty(), Duration.ofSeconds(10)).health());

                Pattern port = Pattern.compile("event=metrics port=(\\d+)");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> port.matcher(Files.readString(log)).find());
                Matcher m = port.matcher(Files.readString(log));
                assertTrue(m.find());
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + m.group(1) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("splitplane_deviceplugin_devices{health=\"Healthy\",pool=\"fast\"} 1.0"),
                        metrics);

                // The CNI plugin's calls served in this process: the plugin's own answers, over HTTP.
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(cniSocket));
                String version = cniCall(cniSocket, "CNI-Command: VERSION\r\n", "{\"cniVersion\":\"1.0.0\"}");
                assertTrue(version.startsWith("HTTP/1.1 200 "), version);
                assertTrue(version.endsWith("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\","
                        + "\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n"), version);
                String refused = cniCall(cniSocket, "CNI-Command: ADD\r\n", "{}");
                assertTrue(refused.startsWith("HTTP/1.1 500 ") && refused.contains("\"code\":4"), refused);

                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the daemon stops on SIGTERM");
                assertEquals(143, p.exitValue(), "terminated by the signal, after its shutdown hook ran");
                assertFalse(Files.exists(f.devicePluginDir.resolve("afxdp-fast.sock")), "its socket is removed");
                assertFalse(Files.exists(cniSocket), "the CNI socket is removed");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(plugin::streamEnded);
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** One CNI call to the daemon's CNI server, as the launcher's curl sends it; returns the whole response. */
    private static String cniCall(Path socket, String headers, String body) throws java.io.IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            c.write(ByteBuffer.wrap(("POST / HTTP/1.1\r\n" + headers + "Content-Length: " + b.length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8)));
            try (java.io.InputStream in = Channels.newInputStream(c)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
