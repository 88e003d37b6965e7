package io.splitplane.operator.pool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.deviceplugin.DevicePluginConfig;
import io.splitplane.api.deviceplugin.PoolConfig;
import io.splitplane.operator.SpecJson;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the device plugin's configuration from every XdpPool. A pool that is invalid on its own, or
 * that conflicts with an older pool (the same netdev by name, the same environment variable), is left
 * out and reported, so one bad pool never takes the others' devices away.
 */
public final class DevicePluginConfigRenderer {
    /** Where each field of {@link PoolConfig} is in an XdpPool. */
    private static final Map<String, String> PATHS = Map.of("name", "metadata.name", "devices", "spec.devices",
            "classifier", "spec.rules", "handover", "spec.handover");

    /**
     * @param config   the configuration of the accepted pools, or null when none was accepted
     * @param rejected the pools left out, by name, with why
     */
    public record Result(DevicePluginConfig config, Map<String, InvalidConfigException> rejected) {
    }

    private DevicePluginConfigRenderer() {
    }

    /** One pool as the device plugin sees it. */
    public static PoolConfig poolConfig(XdpPool pool) {
        String source = "XdpPool " + pool.getMetadata().getName();
        XdpPoolSpec spec = pool.getSpec();
        if (spec == null) {
            throw new InvalidConfigException(source, "spec", "must be set");
        }
        ObjectNode doc = SpecJson.object();
        doc.put("name", pool.getMetadata().getName());
        if (spec.getDevices() != null) {
            doc.set("devices", SpecJson.tree(spec.getDevices()));
        }
        if (spec.getRules() != null) {
            doc.putObject("classifier").set("rules", SpecJson.tree(spec.getRules()));
        }
        if (spec.getHandover() != null) {
            doc.put("handover", spec.getHandover().contract().json());
        }
        // The classifier's errors say "classifier.rules[2].dstPorts"; the pool has "spec.rules[2].dstPorts".
        try {
            return SpecJson.read(doc, PoolConfig.class, PATHS, source);
        } catch (InvalidConfigException e) {
            String field = e.field().replace("spec.rules.rules", "spec.rules");
            throw new InvalidConfigException(source, field, e.reason(), e.getCause());
        }
    }

    /** The configuration of all {@code pools}, oldest first, each accepted or rejected with a reason. */
    public static Result render(List<XdpPool> pools) {
        List<XdpPool> ordered = new ArrayList<>(pools);
        ordered.sort(Comparator.comparing((XdpPool p) -> String.valueOf(p.getMetadata().getCreationTimestamp()))
                .thenComparing(p -> p.getMetadata().getName()));
        List<PoolConfig> accepted = new ArrayList<>();
        Map<String, InvalidConfigException> rejected = new LinkedHashMap<>();
        for (XdpPool pool : ordered) {
            String name = pool.getMetadata().getName();
            PoolConfig config;
            try {
                config = poolConfig(pool);
            } catch (InvalidConfigException e) {
                rejected.put(name, e);
                continue;
            }
            List<PoolConfig> with = new ArrayList<>(accepted);
            with.add(config);
            try {
                new DevicePluginConfig(with, null, null, null);
                accepted.add(config);
            } catch (InvalidConfigException e) {
                // The config names "pools[3].devices.names[0]": the pool being added is the one at fault.
                String field = e.field().replaceFirst("^pools\\[\\d+]\\.", "");
                String at = field.startsWith("devices") ? "spec." + field : field.startsWith("name") ? "metadata.name"
                        : "spec";
                rejected.put(name, new InvalidConfigException("XdpPool " + name, at, e.reason(), e));
            }
        }
        DevicePluginConfig config = accepted.isEmpty() ? null : new DevicePluginConfig(accepted, null, null, null);
        return new Result(config, rejected);
    }
}
