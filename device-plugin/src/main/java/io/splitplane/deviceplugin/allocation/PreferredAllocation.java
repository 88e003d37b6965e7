package io.splitplane.deviceplugin.allocation;

import io.splitplane.deviceplugin.discovery.PoolDevice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Picks the devices the plugin would like a container to get (GetPreferredAllocation): all the
 * devices it must include, then more on the same NUMA node as those (or, when nothing is
 * required, on the node with the most available devices), preferring functions of the same NIC
 * (PCI slot) as devices already picked, so a pod's devices stay together. Ties go by name, so the
 * answer is deterministic.
 */
public final class PreferredAllocation {
    private PreferredAllocation() {
    }

    /**
     * @param available   the IDs the kubelet offers
     * @param mustInclude the IDs that must be in the answer
     * @param size        how many devices the container gets
     * @param devices     what the plugin knows about its devices, by ID (unknown IDs sort last)
     */
    public static List<String> choose(List<String> available, List<String> mustInclude, int size,
                                      Map<String, PoolDevice> devices) {
        Set<String> chosen = new LinkedHashSet<>(mustInclude);
        List<String> candidates = new ArrayList<>();
        for (String id : new LinkedHashSet<>(available)) {
            if (!chosen.contains(id)) {
                candidates.add(id);
            }
        }
        int node = preferredNode(chosen, candidates, devices);
        while (chosen.size() < size && !candidates.isEmpty()) {
            Set<String> slots = new LinkedHashSet<>();
            for (String id : chosen) {
                PoolDevice d = devices.get(id);
                if (d != null) {
                    d.pciSlot().ifPresent(slots::add);
                }
            }
            Map<String, Long> slotSizes = new HashMap<>();
            for (String id : candidates) {
                PoolDevice d = devices.get(id);
                if (d != null) {
                    d.pciSlot().ifPresent(s -> slotSizes.merge(s, 1L, Long::sum));
                }
            }
            Comparator<String> order = Comparator
                    .comparingInt((String id) -> devices.containsKey(id) && devices.get(id).healthy() ? 0 : 1)
                    .thenComparingInt(id -> numaOf(devices, id).orElse(-1) == node ? 0 : 1)
                    .thenComparingInt(id -> sharesSlot(devices.get(id), slots) ? 0 : 1)
                    .thenComparingLong(id -> -slotSize(devices.get(id), slotSizes))
                    .thenComparing(id -> id);
            String best = candidates.stream().min(order).orElseThrow();
            chosen.add(best);
            candidates.remove(best);
        }
        return List.copyOf(chosen);
    }

    private static int preferredNode(Set<String> chosen, List<String> candidates, Map<String, PoolDevice> devices) {
        Map<Integer, Integer> counts = new HashMap<>();
        Iterable<String> basis = chosen.isEmpty() ? candidates : chosen;
        for (String id : basis) {
            counts.merge(numaOf(devices, id).orElse(-1), 1, Integer::sum);
        }
        return counts.entrySet().stream()
                .max(Comparator.<Map.Entry<Integer, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                .map(Map.Entry::getKey).orElse(-1);
    }

    private static OptionalInt numaOf(Map<String, PoolDevice> devices, String id) {
        PoolDevice d = devices.get(id);
        return d == null ? OptionalInt.empty() : d.numaNode();
    }

    private static boolean sharesSlot(PoolDevice d, Set<String> slots) {
        return d != null && d.pciSlot().map(slots::contains).orElse(false);
    }

    private static long slotSize(PoolDevice d, Map<String, Long> sizes) {
        return d == null ? 0 : d.pciSlot().map(s -> sizes.getOrDefault(s, 0L)).orElse(0L);
    }
}
