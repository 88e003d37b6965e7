package io.splitplane.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.api.classifier.IpPrefix;
import io.splitplane.kernel.bpf.BpfMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Installs a rule set so that every packet sees either the old or the new one, whole. It keeps no
 * state of its own: the active slot, the generation, the counter slots and their names are read
 * from the maps, so a writer working from reopened pins continues where another process stopped.
 *
 * <p>The swap (see classifier.h): the program reads {@code rulesets[ruleset_index]}, so the writer
 * only ever writes the other slot, once no program run can still be reading it:
 * <ol>
 *   <li>wait for running programs: a store into {@code swap_barrier} (map-in-map) returns after an
 *       RCU grace period, so every run that read the index before the last flip has ended;</li>
 *   <li>delete trie entries of any generation but the active one;</li>
 *   <li>claim and zero the counter slots of new rule names;</li>
 *   <li>insert the new generation's prefixes (no packet reads them yet: the active set names its
 *       own generation);</li>
 *   <li>write the new set into the inactive slot and flip the index with a release store through
 *       the mmapped global, so a run that reads the new index sees all of the new set;</li>
 *   <li>free the slots of rules that are gone (runs still on the old set may count there until the
 *       next swap's step 1, before which no slot is claimed again); if the old set had trie entries,
 *       wait once more and delete them.</li>
 * </ol>
 * A failure before step 5 undoes steps 3-4 and leaves the active set as it was. One writer at a
 * time per classifier: callers serialize (the {@link Classifier} does within a process).
 */
final class RuleSetWriter {
    private static final System.Logger LOG = System.getLogger(RuleSetWriter.class.getName());
    private static final String BARRIER_SLOT_NAME = "sp_barrier";
    private static final VarHandle INDEX = JAVA_INT.varHandle();

    private final ClassifierMaps maps;
    private final CounterSlots slots;

    RuleSetWriter(ClassifierMaps maps) {
        this.maps = maps;
        this.slots = new CounterSlots(maps);
    }

    /** The active rule set: {@code rulesets[ruleset_index]}. */
    RuleSetImage active() {
        return read(activeSlot());
    }

    /** The counter slots of the active set's rules, by name, in priority order. */
    Map<String, Integer> activeSlots() {
        return slots.active(active());
    }

    void replace(CompiledRules compiled) {
        awaitRunningPrograms();
        int slot = activeSlot();
        RuleSetImage old = read(slot);
        Map<String, Integer> oldSlots = slots.active(old);
        int generation = next(old.generation());
        purgeTries(old.generation());

        Deque<Runnable> undo = new ArrayDeque<>();
        try (Arena arena = Arena.ofConfined()) {
            // Mapped before anything changes, so that the flip cannot fail after the set is written.
            MemorySegment index = maps.map(ClassifierMaps.RULESET_INDEX).mapValues(arena);
            int[] assigned = CounterSlots.assign(compiled.names(), oldSlots);
            Set<Integer> kept = new HashSet<>(oldSlots.values());
            for (int i = 0; i < assigned.length; i++) {
                int counter = assigned[i];
                if (!kept.contains(counter)) {
                    slots.claim(counter, compiled.names().get(i));
                    undo.push(() -> slots.release(counter));
                }
            }
            for (PrefixTrie t : PrefixTrie.values()) {
                BpfMap trie = maps.trie(t);
                for (Map.Entry<IpPrefix, Long> p : compiled.trieEntries(t).entrySet()) {
                    byte[] key = prefixKey(generation, p.getKey());
                    trie.update(key, u64(p.getValue()), BpfMap.NOEXIST);
                    undo.push(() -> trie.delete(key));
                }
            }
            int inactive = 1 - slot;
            maps.map(ClassifierMaps.RULESETS).update(arena.allocateFrom(JAVA_INT, inactive),
                    RuleSetImage.encode(arena, generation, compiled, assigned), BpfMap.ANY);
            // The release store orders the slot's bytes (written by the kernel for this thread) before
            // the index: a run that reads the new index reads the new set.
            INDEX.setRelease(index, 0L, inactive);
            undo.clear();

            // Large prefix sets only: give the old generation's trie entries back now, not at the next
            // swap, which costs this one a second wait.
            if (hasTrieEntries(old.generation())) {
                awaitRunningPrograms();
                purgeTries(generation);
            }

            Set<Integer> now = new HashSet<>();
            for (int s : assigned) {
                now.add(s);
            }
            for (int s : oldSlots.values()) {
                if (!now.contains(s)) {
                    slots.release(s);
                }
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "classifier rule set generation " + generation + " active in slot "
                    + inactive + ": " + compiled.names());
        } catch (RuntimeException | Error e) {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * {@code ruleset_index}: 0 or 1. The program decides by no rule set at all for any other value,
     * so the writer refuses to pick a slot rather than guess which one packets read.
     */
    private int activeSlot() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, 0);
            MemorySegment value = arena.allocate(JAVA_INT);
            if (!maps.map(ClassifierMaps.RULESET_INDEX).lookup(key, value)) {
                throw new IllegalStateException("the classifier's ruleset_index has no value");
            }
            int index = value.get(JAVA_INT, 0);
            if (index != 0 && index != 1) {
                throw new IllegalStateException("the classifier's ruleset_index is " + Integer.toUnsignedString(index)
                        + ", not a slot of rulesets (0 or 1): written by something other than this writer");
            }
            return index;
        }
    }

    private RuleSetImage read(int slot) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(RuleSetLayout.LAYOUT);
            if (!maps.map(ClassifierMaps.RULESETS).lookup(arena.allocateFrom(JAVA_INT, slot), value)) {
                throw new IllegalStateException("the classifier's rulesets map has no slot " + slot);
            }
            return RuleSetImage.decode(value);
        }
    }

    /**
     * Returns once every program run that started before the call has ended: the kernel makes a
     * store into a map-in-map wait for an RCU grace period. Any array map of the slot's shape will do.
     */
    private void awaitRunningPrograms() {
        try (Arena arena = Arena.ofConfined();
             BpfMap slot = BpfMap.create(BpfMap.TYPE_ARRAY, BARRIER_SLOT_NAME, 4, 4, 1, 0)) {
            maps.map(ClassifierMaps.SWAP_BARRIER).update(arena.allocateFrom(JAVA_INT, 0),
                    arena.allocateFrom(JAVA_INT, slot.fd()), BpfMap.ANY);
        }
    }

    private boolean hasTrieEntries(int generation) {
        for (PrefixTrie t : PrefixTrie.values()) {
            for (byte[] key : maps.trie(t).keys()) {
                if (generationOf(key) == generation) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Deletes every trie entry whose generation is not {@code keep}. */
    private void purgeTries(int keep) {
        for (PrefixTrie t : PrefixTrie.values()) {
            BpfMap trie = maps.trie(t);
            for (byte[] key : trie.keys()) {
                if (generationOf(key) != keep) {
                    trie.delete(key);
                }
            }
        }
    }

    /** The generation after {@code current}; 0 belongs to the initial empty set and is skipped. */
    static int next(int current) {
        int n = current + 1;
        return n == 0 ? 1 : n;
    }

    /** A trie key ({@link PrefixKeyLayout}) for {@code prefix} in {@code generation}. */
    static byte[] prefixKey(int generation, IpPrefix prefix) {
        byte[] address = prefix.address();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(PrefixKeyLayout.size(prefix.version()), 4);
            k.set(JAVA_INT, PrefixKeyLayout.PREFIXLEN, PrefixKeyLayout.GENERATION_BITS + prefix.length());
            k.set(PrefixKeyLayout.GENERATION_BE, PrefixKeyLayout.GENERATION, generation);
            MemorySegment.copy(address, 0, k, JAVA_BYTE, PrefixKeyLayout.ADDR, address.length);
            return k.toArray(JAVA_BYTE);
        }
    }

    static int generationOf(byte[] key) {
        return MemorySegment.ofArray(key).get(PrefixKeyLayout.GENERATION_BE.withByteAlignment(1),
                PrefixKeyLayout.GENERATION);
    }

    private static byte[] u64(long value) {
        try (Arena arena = Arena.ofConfined()) {
            return arena.allocateFrom(JAVA_LONG, value).toArray(JAVA_BYTE);
        }
    }
}
