package io.splitplane.deviceplugin.discovery;

import io.splitplane.api.deviceplugin.PoolConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which netdev is in which pool, and whether it is healthy, given what the latest scan of the
 * node's network namespace found. The kubelet's capacity must not shrink because a device
 * blinked, so a member stays a member (Unhealthy) while it is down, gone, or no longer selected;
 * it turns Healthy again when it comes back. Membership is forgotten only when the pools change.
 *
 * <p>A device belongs to at most one pool: a new device joins the first pool, in config order,
 * whose selector takes it, and stays there.
 *
 * <p>A device handed out by Allocate leaves the namespace when the CNI moves it into the pod: that
 * is its job, not a fault, so an allocated device that is gone stays Healthy. Once it is back (the
 * CNI's DEL moved it home) it is an ordinary member again.
 *
 * <p>Not thread-safe; the daemon serialises calls.
 */
public final class PoolMembership {
    private List<PoolConfig> pools = List.of();
    /** netdev name → pool name, in the order devices joined. */
    private final Map<String, String> poolOf = new LinkedHashMap<>();
    /** Last known placement of every member, kept while it is gone. */
    private final Map<String, PoolDevice> lastSeen = new HashMap<>();
    private final Set<String> allocated = new HashSet<>();
    /** Allocated devices seen gone since their allocation: when they reappear, the pod released them. */
    private final Set<String> allocatedAway = new HashSet<>();
    private Map<String, List<PoolDevice>> lists = Map.of();

    /**
     * Replaces the pools. Members of pools that are unchanged stay; members of removed or changed
     * pools are forgotten and found again by the next {@link #update}.
     */
    public void setPools(List<PoolConfig> newPools) {
        Map<String, PoolConfig> byName = new HashMap<>();
        newPools.forEach(p -> byName.put(p.name(), p));
        Set<String> kept = new HashSet<>();
        for (PoolConfig old : pools) {
            if (old.equals(byName.get(old.name()))) {
                kept.add(old.name());
            }
        }
        poolOf.entrySet().removeIf(e -> !kept.contains(e.getValue()));
        lastSeen.keySet().retainAll(poolOf.keySet());
        pools = List.copyOf(newPools);
    }

    public List<PoolConfig> pools() {
        return pools;
    }

    /**
     * Applies a scan: every device of the namespace, as found now.
     *
     * @return the device list of every pool whose list changed (all pools on the first call), by pool name
     */
    public Map<String, List<PoolDevice>> update(List<ScannedDevice> scan) {
        Map<String, ScannedDevice> present = new HashMap<>();
        scan.forEach(d -> present.put(d.name(), d));
        Map<String, PoolConfig> byName = new HashMap<>();
        pools.forEach(p -> byName.put(p.name(), p));

        for (ScannedDevice d : scan) {
            if (d.loopback() || poolOf.containsKey(d.name())) {
                continue;
            }
            for (PoolConfig p : pools) {
                if (p.devices().matches(d.candidate())) {
                    poolOf.put(d.name(), p.name());
                    break;
                }
            }
        }
        for (String name : allocated) {
            if (!present.containsKey(name)) {
                allocatedAway.add(name);
            }
        }
        for (String name : List.copyOf(allocatedAway)) {
            if (present.containsKey(name)) {
                allocatedAway.remove(name);
                allocated.remove(name);
            }
        }

        Map<String, List<PoolDevice>> next = new LinkedHashMap<>();
        pools.forEach(p -> next.put(p.name(), new ArrayList<>()));
        for (Map.Entry<String, String> member : poolOf.entrySet()) {
            String name = member.getKey();
            PoolConfig pool = byName.get(member.getValue());
            ScannedDevice d = present.get(name);
            PoolDevice device;
            if (d != null) {
                boolean healthy = d.up() && pool.devices().matches(d.candidate());
                device = new PoolDevice(name, healthy, d.numaNode(), d.pciAddress());
                lastSeen.put(name, device);
            } else {
                PoolDevice last = lastSeen.getOrDefault(name,
                        new PoolDevice(name, false, OptionalInt.empty(), Optional.empty()));
                device = last.withHealthy(allocated.contains(name));
            }
            next.get(pool.name()).add(device);
        }
        Map<String, List<PoolDevice>> changed = new LinkedHashMap<>();
        for (Map.Entry<String, List<PoolDevice>> e : next.entrySet()) {
            e.getValue().sort(Comparator.comparing(PoolDevice::id));
            List<PoolDevice> list = List.copyOf(e.getValue());
            e.setValue(list);
            if (!list.equals(lists.get(e.getKey()))) {
                changed.put(e.getKey(), list);
            }
        }
        lists = Map.copyOf(next);
        return changed;
    }

    /** The current list of {@code pool}, empty for an unknown pool. */
    public List<PoolDevice> devices(String pool) {
        return lists.getOrDefault(pool, List.of());
    }

    /** The pool {@code netdev} belongs to, if any. */
    public Optional<String> poolOf(String netdev) {
        return Optional.ofNullable(poolOf.get(netdev));
    }

    /** Records that the kubelet handed these devices to a container: their leaving is expected. */
    public void markAllocated(List<String> netdevs) {
        for (String n : netdevs) {
            allocated.add(n);
            allocatedAway.remove(n);
        }
    }

    public boolean isAllocated(String netdev) {
        return allocated.contains(netdev);
    }
}
