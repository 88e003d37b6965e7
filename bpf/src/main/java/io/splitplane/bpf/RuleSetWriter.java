package io.splitplane.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.api.classifier.IpPrefix;
import io.splitplane.kernel.bpf.BpfMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Installs a rule set so that every packet sees either the old or the new one, whole. It keeps no
 * state of its own: the generation, the counter slots and their names are read from the maps, so a
 * writer working from reopened pins continues where another process stopped.
 *
 * <p>The swap (see classifier.h):
 * <ol>
 *   <li>delete trie entries of any generation but the active one (a writer that died midway);</li>
 *   <li>claim and zero the counter slots of new rule names;</li>
 *   <li>insert the new generation's prefixes (no packet reads them yet: the active set names its
 *       own generation);</li>
 *   <li>create a fresh inner map holding the new set and store it in {@code active_ruleset[0]}: the
 *       kernel returns only after every program run that might still read the old set ended;</li>
 *   <li>delete the old generation's prefixes and free the slots of rules that are gone.</li>
 * </ol>
 * A failure before step 4 undoes steps 2-3 and leaves the active set as it was. One writer at a
 * time per classifier: callers serialize (the {@link Classifier} does within a process).
 */
final class RuleSetWriter {
    private static final System.Logger LOG = System.getLogger(RuleSetWriter.class.getName());
    private static final String INNER_MAP_NAME = "sp_ruleset";

    private final ClassifierMaps maps;
    private final CounterSlots slots;

    RuleSetWriter(ClassifierMaps maps) {
        this.maps = maps;
        this.slots = new CounterSlots(maps);
    }

    /** The active rule set, read through {@code active_ruleset[0]}. */
    RuleSetImage active() {
        BpfMap outer = maps.map(ClassifierMaps.ACTIVE_RULESET);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, 0);
            MemorySegment id = arena.allocate(JAVA_INT);
            if (!outer.lookup(key, id)) {
                throw new IllegalStateException("active_ruleset[0] is empty: the classifier has no rule set");
            }
            // User space reads a map-in-map slot as the inner map's id.
            try (BpfMap inner = BpfMap.openById(id.get(JAVA_INT, 0))) {
                MemorySegment value = arena.allocate(RuleSetLayout.LAYOUT);
                if (!inner.lookup(key, value)) {
                    throw new IllegalStateException("the active rule set map has no entry 0");
                }
                return RuleSetImage.decode(value);
            }
        }
    }

    /** The counter slots of the active set's rules, by name, in priority order. */
    Map<String, Integer> activeSlots() {
        return slots.active(active());
    }

    void replace(CompiledRules compiled) {
        RuleSetImage old = active();
        Map<String, Integer> oldSlots = slots.active(old);
        int generation = next(old.generation());
        purgeTries(old.generation());

        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            int[] assigned = CounterSlots.assign(compiled.names(), oldSlots);
            Set<Integer> kept = new HashSet<>(oldSlots.values());
            for (int i = 0; i < assigned.length; i++) {
                int slot = assigned[i];
                if (!kept.contains(slot)) {
                    slots.claim(slot, compiled.names().get(i));
                    undo.push(() -> slots.release(slot));
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
            install(generation, compiled, assigned);
            undo.clear();

            // No packet reads the old set any more.
            purgeTries(generation);
            Set<Integer> now = new HashSet<>();
            for (int s : assigned) {
                now.add(s);
            }
            for (int s : oldSlots.values()) {
                if (!now.contains(s)) {
                    slots.release(s);
                }
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "classifier rule set generation " + generation + " active: "
                    + compiled.names());
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

    /** Step 4: a fresh inner map with the set, stored in the outer map's only slot. */
    private void install(int generation, CompiledRules compiled, int[] counters) {
        try (Arena arena = Arena.ofConfined();
             BpfMap inner = BpfMap.create(BpfMap.TYPE_ARRAY, INNER_MAP_NAME, 4, (int) RuleSetLayout.SIZE, 1, 0)) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, 0);
            inner.update(key, RuleSetImage.encode(arena, generation, compiled, counters), BpfMap.ANY);
            // The outer map holds its own reference; ours closes with this block. The update returns
            // after an RCU grace period: no program still runs with the old inner map.
            maps.map(ClassifierMaps.ACTIVE_RULESET).update(key, arena.allocateFrom(JAVA_INT, inner.fd()), BpfMap.ANY);
        }
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
