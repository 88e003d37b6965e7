package io.splitplane.api.deviceplugin;

import io.splitplane.api.InvalidConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The pool overrides of one node, picked by the device plugin's {@code --node-name}.
 *
 * @param node  the Kubernetes node name (a DNS subdomain: lower-case letters, digits, '-', '.')
 * @param pools at least one override, at most one per pool
 */
public record NodeOverride(String node, List<PoolOverride> pools) {
    private static final Pattern NODE = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

    public NodeOverride {
        if (node == null || node.isEmpty()) {
            throw InvalidConfigException.field("node", "must be set (a node name)");
        }
        if (!NODE.matcher(node).matches()) {
            throw InvalidConfigException.field("node", "not a node name (lower-case letters, digits, '-' and '.',"
                    + " at most 253): '" + node + "'");
        }
        if (pools == null || pools.isEmpty()) {
            throw InvalidConfigException.field("pools", "must list at least one pool override");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < pools.size(); i++) {
            PoolOverride o = pools.get(i);
            if (o == null) {
                throw InvalidConfigException.field("pools[" + i + "]", "must not be null");
            }
            Integer first = seen.putIfAbsent(o.pool(), i);
            if (first != null) {
                throw InvalidConfigException.field("pools[" + i + "].pool", "pool '" + o.pool()
                        + "' is overridden twice (pools[" + first + "] too)");
            }
        }
        pools = List.copyOf(pools);
    }
}
