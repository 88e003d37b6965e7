package io.splitplane.api.deviceplugin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.handover.HandoverSockets;
import io.splitplane.api.handover.XskMapPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The device plugin's configuration file (JSON or YAML, from the ConfigMap the operator writes):
 * pools, per-node overrides, and where pin directories and hand-over sockets live on the host.
 * An example is in the package documentation.
 *
 * <p>A netdev belongs to at most one pool. Exact names listed by two pools are refused here; where
 * globs or drivers overlap, the device plugin gives the netdev to the first pool in this list.
 *
 * @param pools        at least one; names unique, and unique once turned into the
 *                     {@code AFXDP_DEVICES_<POOL>} variable
 * @param nodes        per-node overrides, node names unique, each naming existing pools; default none
 * @param bpffsRoot    the bpffs directory holding one pin directory per netdev; default
 *                     {@value XskMapPaths#DEFAULT_BPFFS_ROOT}
 * @param handoverRoot the host directory for the per-allocation hand-over sockets; default
 *                     {@value HandoverSockets#DEFAULT_HOST_ROOT}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record DevicePluginConfig(List<PoolConfig> pools, List<NodeOverride> nodes, String bpffsRoot,
                                 String handoverRoot) {
    public DevicePluginConfig {
        if (pools == null || pools.isEmpty()) {
            throw InvalidConfigException.field("pools", "must list at least one pool");
        }
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> envs = new HashMap<>();
        Map<String, Integer> exact = new HashMap<>();
        for (int i = 0; i < pools.size(); i++) {
            PoolConfig p = pools.get(i);
            if (p == null) {
                throw InvalidConfigException.field("pools[" + i + "]", "must not be null");
            }
            Integer first = names.putIfAbsent(p.name(), i);
            if (first != null) {
                throw InvalidConfigException.field("pools[" + i + "].name", "duplicate pool name '" + p.name()
                        + "' (pools[" + first + "] has it too)");
            }
            String env = XskMapPaths.devicesEnvName(p.name());
            first = envs.putIfAbsent(env, i);
            if (first != null) {
                throw InvalidConfigException.field("pools[" + i + "].name", "pool '" + p.name() + "' and pool '"
                        + pools.get(first).name() + "' would share the variable " + env);
            }
            checkExactNames(exact, p.devices(), i, pools);
        }
        pools = List.copyOf(pools);
        if (nodes == null) {
            nodes = List.of();
        }
        Map<String, Integer> seenNodes = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeOverride n = nodes.get(i);
            if (n == null) {
                throw InvalidConfigException.field("nodes[" + i + "]", "must not be null");
            }
            Integer first = seenNodes.putIfAbsent(n.node(), i);
            if (first != null) {
                throw InvalidConfigException.field("nodes[" + i + "].node", "node '" + n.node()
                        + "' has two entries (nodes[" + first + "] too)");
            }
            for (int j = 0; j < n.pools().size(); j++) {
                String pool = n.pools().get(j).pool();
                if (!names.containsKey(pool)) {
                    throw InvalidConfigException.field("nodes[" + i + "].pools[" + j + "].pool", "unknown pool '"
                            + pool + "' (pools: " + pools.stream().map(PoolConfig::name).toList() + ")");
                }
            }
        }
        nodes = List.copyOf(nodes);
        bpffsRoot = absolute("bpffsRoot", bpffsRoot, XskMapPaths.DEFAULT_BPFFS_ROOT);
        handoverRoot = absolute("handoverRoot", handoverRoot, HandoverSockets.DEFAULT_HOST_ROOT);
    }

    /** One config of the given pools, defaults elsewhere. */
    public static DevicePluginConfig of(PoolConfig... pools) {
        return new DevicePluginConfig(List.of(pools), null, null, null);
    }

    public DevicePluginConfig withNodes(List<NodeOverride> value) {
        return new DevicePluginConfig(pools, value, bpffsRoot, handoverRoot);
    }

    public DevicePluginConfig withBpffsRoot(String value) {
        return new DevicePluginConfig(pools, nodes, value, handoverRoot);
    }

    public DevicePluginConfig withHandoverRoot(String value) {
        return new DevicePluginConfig(pools, nodes, bpffsRoot, value);
    }

    /**
     * The pools as node {@code nodeName} runs them: its overrides applied, its disabled pools left
     * out, in config order. A null or unlisted node gets the pools as written.
     */
    public List<PoolConfig> poolsFor(String nodeName) {
        NodeOverride node = nodes.stream().filter(n -> n.node().equals(nodeName)).findFirst().orElse(null);
        if (node == null) {
            return pools;
        }
        List<PoolConfig> out = new ArrayList<>(pools.size());
        for (PoolConfig p : pools) {
            PoolOverride o = node.pools().stream().filter(x -> x.pool().equals(p.name())).findFirst().orElse(null);
            if (o == null) {
                out.add(p);
            } else if (!o.disabled()) {
                out.add(o.applyTo(p));
            }
        }
        return List.copyOf(out);
    }

    public XskMapPaths xskMapPaths() {
        return new XskMapPaths(Path.of(bpffsRoot));
    }

    public HandoverSockets handoverSockets() {
        return new HandoverSockets(Path.of(handoverRoot));
    }

    private static void checkExactNames(Map<String, Integer> exact, DeviceSelector devices, int index,
                                        List<PoolConfig> pools) {
        for (String name : devices.exactNames()) {
            Integer first = exact.putIfAbsent(name, index);
            if (first != null) {
                throw InvalidConfigException.field("pools[" + index + "].devices.names["
                        + devices.names().indexOf(name) + "]",
                        "netdev '" + name + "' is already in pool '" + pools.get(first).name()
                                + "' (a netdev belongs to at most one pool)");
            }
        }
    }

    private static String absolute(String field, String value, String fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isEmpty() || !value.startsWith("/")) {
            throw InvalidConfigException.field(field, "must be an absolute path, was '" + value + "'");
        }
        return Path.of(value).normalize().toString();
    }
}
