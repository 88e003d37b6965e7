package io.splitplane.deviceplugin.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The device plugin's Prometheus metrics, all prefixed {@code splitplane_deviceplugin_}: devices per
 * pool and health, allocations and their latency, registrations, health changes, hand-over requests
 * and config reloads. {@link #serve} exposes them at {@code /metrics}.
 */
public final class DevicePluginMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicInteger> deviceGauges = new ConcurrentHashMap<>();
    private HttpServer http;

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Sets the number of devices of {@code pool} in state {@code health} ("Healthy"/"Unhealthy"). */
    public void devices(String pool, String health, int count) {
        deviceGauges.computeIfAbsent(pool + "\u0000" + health, k -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("splitplane_deviceplugin_devices", value, AtomicInteger::get)
                    .description("Devices advertised to the kubelet, by pool and health")
                    .tag("pool", pool).tag("health", health).register(registry);
            return value;
        }).set(count);
    }

    public void healthChange(String pool, String health) {
        counter("splitplane_deviceplugin_health_changes", "Device health transitions sent to the kubelet",
                "pool", pool, "health", health).increment();
    }

    public void allocation(String pool, String result, Duration latency) {
        counter("splitplane_deviceplugin_allocations", "Allocate calls per container", "pool", pool, "result",
                result).increment();
        Timer.builder("splitplane_deviceplugin_allocate").description("Allocate latency").tag("pool", pool)
                .publishPercentiles(0.5, 0.99).register(registry).record(latency);
    }

    public void registration(String pool, String result) {
        counter("splitplane_deviceplugin_registrations", "Register calls to the kubelet", "pool", pool, "result",
                result).increment();
    }

    public void handover(String pool, String status) {
        counter("splitplane_deviceplugin_handover_requests", "XSKMAP hand-over requests", "pool", pool, "status",
                status).increment();
    }

    public void configReload(String result) {
        counter("splitplane_deviceplugin_config_reloads", "Config file reloads", "result", result).increment();
    }

    /** Current value of a counter, for tests and logs; 0 if it was never incremented. */
    public double count(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    /** Serves {@code /metrics} on {@code port} (0: any free port); returns the port. */
    public int serve(int port) {
        try {
            http = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port, e);
        }
        http.createContext("/metrics", exchange -> {
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        if (http != null) {
            http.stop(0);
        }
        registry.close();
    }
}
