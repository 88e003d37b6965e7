package io.splitplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One iperf3 UDP session between two namespaces: a one-shot server ({@code -s -1}) in one, the client
 * at a fixed offered rate in the other, the client's JSON report read back. The loss is the server's
 * count (iperf3's sequence numbers), as the client reports it in {@code end.sum_received}.
 */
public final class UdpIperf {
    /** What one session measured. */
    public record Report(long offeredBitsPerSecond, double sentBitsPerSecond, double receivedBitsPerSecond,
                         long packetsSent, long packetsLost, double lostPercent, double seconds) {
        @Override
        public String toString() {
            return "offered %.0f Mbit/s, sent %.0f Mbit/s, received %.0f Mbit/s, %,d datagrams, %,d lost (%.2f%%), %.1f s"
                    .formatted(offeredBitsPerSecond / 1e6, sentBitsPerSecond / 1e6, receivedBitsPerSecond / 1e6,
                            packetsSent, packetsLost, lostPercent, seconds);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private UdpIperf() {
    }

    /**
     * Runs a session from {@code clientNs} to {@code serverAddress}:{@code port} in {@code serverNs}.
     *
     * @param bitsPerSecond offered rate
     * @param length        UDP payload bytes per datagram
     */
    public static Report run(String serverNs, String serverAddress, String clientNs, int port, long bitsPerSecond,
                             int length, int seconds) {
        Path serverLog;
        Process server;
        try {
            serverLog = Files.createTempFile("iperf3-server", ".log");
            server = new ProcessBuilder(Commands.inNamespace(serverNs, "iperf3", "-s", "-1", "-B", serverAddress,
                    "-p", Integer.toString(port)))
                    .redirectErrorStream(true)
                    .redirectOutput(serverLog.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start iperf3 (apt-get install iperf3)", e);
        }
        try {
            awaitListening(server, serverNs, port, serverLog);
            Commands.Result client = Commands.execIn(clientNs, seconds + 30, "iperf3", "-c", serverAddress, "-p",
                    Integer.toString(port), "-u", "-b", Long.toString(bitsPerSecond), "-l", Integer.toString(length),
                    "-w", "4M", "-t", Integer.toString(seconds), "-J");
            if (!client.ok()) {
                throw new IllegalStateException("iperf3 client failed (exit " + client.exitCode() + "): "
                        + errorOf(client.stdout()) + client.stderr().strip() + "; server said: " + read(serverLog));
            }
            return parse(client.stdout(), bitsPerSecond);
        } finally {
            server.destroy();
            try {
                if (!server.waitFor(5, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                server.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(serverLog);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    /** Waits until the server listens on its TCP control port (ss in its namespace). */
    private static void awaitListening(Process server, String ns, int port, Path log) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Commands.execIn(ns, 10, "ss", "-Htln", "sport = :" + port).stdout().contains(":" + port)) {
            if (!server.isAlive()) {
                throw new IllegalStateException("iperf3 server exited (" + server.exitValue() + "): " + read(log));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("iperf3 server not listening on " + port + " after 10 s: " + read(log));
            }
            OspfRouter.sleep(50);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log).strip();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static Report parse(String json, long offered) {
        try {
            JsonNode end = JSON.readTree(json).path("end");
            JsonNode sent = end.path("sum_sent");
            JsonNode received = end.path("sum_received");
            if (sent.isMissingNode() || received.isMissingNode()) {
                throw new IllegalStateException("iperf3 report without end.sum_sent/sum_received: "
                        + json.substring(0, Math.min(json.length(), 400)));
            }
            return new Report(offered, sent.path("bits_per_second").asDouble(),
                    received.path("bits_per_second").asDouble(), sent.path("packets").asLong(),
                    received.path("lost_packets").asLong(), received.path("lost_percent").asDouble(),
                    received.path("seconds").asDouble());
        } catch (IOException e) {
            throw new UncheckedIOException("iperf3 printed no JSON report", e);
        }
    }

    private static String errorOf(String json) {
        try {
            return JSON.readTree(json.getBytes(StandardCharsets.UTF_8)).path("error").asText("") + " ";
        } catch (IOException e) {
            return json.strip() + " ";
        }
    }
}
