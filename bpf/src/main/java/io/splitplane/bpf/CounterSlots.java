package io.splitplane.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.bpf.BpfMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-rule counters: slot {@code s} of {@code rule_stats} (per-CPU {@link CounterLayout}) counts
 * the rule named in {@code rule_names[s]} ({@link RuleNameLayout}). Both live in maps so that a
 * process reopening the pins finds which counter is whose.
 *
 * <p>A rule keeps its slot for as long as consecutive rule sets have a rule of that name; a new name
 * gets a slot no rule of the active set uses, zeroed before the new set goes live. No packet can
 * count into such a slot meanwhile: only the active set's rules name slots, and the swap waits for
 * packets still using the old set.
 */
final class CounterSlots {
    private final BpfMap names;
    private final BpfMap stats;

    CounterSlots(ClassifierMaps maps) {
        this.names = maps.map(ClassifierMaps.RULE_NAMES);
        this.stats = maps.map(ClassifierMaps.RULE_STATS);
    }

    /** The name in {@code rule_names[slot]}, "" if the slot is free. */
    String name(int slot) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(RuleNameLayout.LAYOUT);
            if (!names.lookup(arena.allocateFrom(JAVA_INT, slot), value)) {
                return "";
            }
            return value.getString(RuleNameLayout.NAME, StandardCharsets.UTF_8);
        }
    }

    /** The names of the active set's rules and their slots, in priority order. */
    Map<String, Integer> active(RuleSetImage set) {
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (int slot : set.counters()) {
            byName.put(name(slot), slot);
        }
        return byName;
    }

    /**
     * Slots for {@code newNames} (in order): the slot of the same name in {@code active}, else the
     * lowest slot neither the active set nor an earlier new name uses.
     */
    static int[] assign(List<String> newNames, Map<String, Integer> active) {
        BitSet used = new BitSet(ClassifierMaps.MAX_COUNTERS);
        active.values().forEach(used::set);
        int[] slots = new int[newNames.size()];
        for (int i = 0; i < slots.length; i++) {
            Integer kept = active.get(newNames.get(i));
            if (kept != null) {
                slots[i] = kept;
                continue;
            }
            int free = used.nextClearBit(0);
            if (free >= ClassifierMaps.MAX_COUNTERS) {
                // 64 active plus 64 new rules cannot exhaust 256 slots.
                throw new IllegalStateException("no free counter slot among " + ClassifierMaps.MAX_COUNTERS);
            }
            used.set(free);
            slots[i] = free;
        }
        return slots;
    }

    /** Names {@code slot} after a rule, with its counter at zero on every CPU. */
    void claim(int slot, String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length >= RuleNameLayout.NAME_LENGTH) {
            throw new IllegalArgumentException("rule name '" + name + "' has " + utf8.length + " bytes, at most "
                    + (RuleNameLayout.NAME_LENGTH - 1) + " fit");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, slot);
            stats.update(key, arena.allocate(stats.valueBufferSize(), 8), BpfMap.ANY);
            MemorySegment value = arena.allocate(RuleNameLayout.LAYOUT);
            MemorySegment.copy(utf8, 0, value, JAVA_BYTE, RuleNameLayout.NAME, utf8.length);
            names.update(key, value, BpfMap.ANY);
        }
    }

    /** Marks {@code slot} free. */
    void release(int slot) {
        try (Arena arena = Arena.ofConfined()) {
            names.update(arena.allocateFrom(JAVA_INT, slot), arena.allocate(RuleNameLayout.LAYOUT), BpfMap.ANY);
        }
    }

    /** The counter of {@code slot}, summed over CPUs. */
    Counter read(int slot) {
        return sum(stats, slot);
    }

    /** Entry {@code index} of a per-CPU {@link CounterLayout} map, summed over CPUs. */
    static Counter sum(BpfMap perCpu, int index) {
        try (Arena arena = Arena.ofConfined()) {
            int size = perCpu.valueBufferSize();
            MemorySegment value = arena.allocate(size, 8);
            if (!perCpu.lookup(arena.allocateFrom(JAVA_INT, index), value)) {
                return Counter.ZERO;
            }
            long stride = (CounterLayout.SIZE + 7) & ~7L;
            long packets = 0;
            long bytes = 0;
            for (long at = 0; at + CounterLayout.SIZE <= size; at += stride) {
                packets += value.get(JAVA_LONG, at + CounterLayout.PACKETS);
                bytes += value.get(JAVA_LONG, at + CounterLayout.BYTES);
            }
            return new Counter(packets, bytes);
        }
    }
}
