package io.splitplane.bpf;

import io.splitplane.kernel.bpf.BpfException;
import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.bpf.BpfObject;
import io.splitplane.kernel.bpf.BpfProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classifier's program and maps, either borrowed from the loaded object or owned (reopened from
 * pins), with the names they are pinned under. {@link #close()} closes what is owned.
 */
final class ClassifierMaps implements AutoCloseable {
    /** The program's name in the object, and its pin name. */
    static final String PROGRAM = "classify";
    static final String RULESETS = "rulesets";
    /** The pin name of the global {@code ruleset_index}, which libbpf's map for its section holds. */
    static final String RULESET_INDEX = "ruleset_index";
    static final String SWAP_BARRIER = "swap_barrier";
    static final String XSKS = "xsks_map";
    static final String VERDICT_STATS = "verdict_stats";
    static final String RULE_STATS = "rule_stats";
    static final String RULE_NAMES = "rule_names";
    static final String STATE = "classifier_state";
    /** SP_MAX_COUNTERS. */
    static final int MAX_COUNTERS = 256;
    /** SP_MAX_QUEUES. */
    static final int MAX_QUEUES = 256;

    /** Every map that is pinned, by pin name. */
    static final List<String> PINNED_MAPS = List.of(RULESETS, RULESET_INDEX, SWAP_BARRIER, PrefixTrie.DST4.mapName(),
            PrefixTrie.SRC4.mapName(), PrefixTrie.DST6.mapName(), PrefixTrie.SRC6.mapName(), XSKS, VERDICT_STATS,
            RULE_STATS, RULE_NAMES, STATE);
    /** Pin names that differ from the map's name in the object: libbpf names a global's map by its section. */
    private static final Map<String, String> OBJECT_MAP_NAMES = Map.of(RULESET_INDEX, ".data.active");

    private final BpfProgram program;
    private final Map<String, BpfMap> maps;
    private final boolean owned;

    private ClassifierMaps(BpfProgram program, Map<String, BpfMap> maps, boolean owned) {
        this.program = program;
        this.maps = maps;
        this.owned = owned;
    }

    /** The program and maps of the loaded classifier object (borrowed: they close with the object). */
    static ClassifierMaps of(BpfObject object) {
        Map<String, BpfMap> maps = new LinkedHashMap<>();
        for (String name : PINNED_MAPS) {
            maps.put(name, object.map(OBJECT_MAP_NAMES.getOrDefault(name, name)));
        }
        return new ClassifierMaps(object.program(PROGRAM), maps, false);
    }

    /** Opens every pin under {@code dir}; each is owned, and all are closed again if one fails. */
    static ClassifierMaps openPinned(Path dir) {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            requirePin(dir, PROGRAM);
            BpfProgram program = BpfProgram.openPinned(dir.resolve(PROGRAM));
            opened.add(program);
            if (program.type() != BpfProgram.TYPE_XDP) {
                throw new IllegalArgumentException(dir.resolve(PROGRAM) + " is not an XDP program");
            }
            Map<String, BpfMap> maps = new LinkedHashMap<>();
            for (String name : PINNED_MAPS) {
                requirePin(dir, name);
                BpfMap map = BpfMap.openPinned(dir.resolve(name));
                opened.add(map);
                maps.put(name, map);
            }
            ClassifierMaps m = new ClassifierMaps(program, maps, true);
            m.requireShapes(dir);
            return m;
        } catch (RuntimeException | Error e) {
            for (AutoCloseable c : opened.reversed()) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static void requirePin(Path dir, String name) {
        if (!Files.exists(dir.resolve(name))) {
            throw new IllegalArgumentException("no classifier pinned at " + dir + ": " + dir.resolve(name)
                    + " does not exist");
        }
    }

    /** Refuses pins of another classifier version, whose structs would not match these layouts. */
    private void requireShapes(Path dir) {
        requireShape(dir, RULESETS, 4, (int) RuleSetLayout.SIZE);
        requireShape(dir, RULESET_INDEX, 4, 4);
        requireShape(dir, RULE_STATS, 4, (int) CounterLayout.SIZE);
        requireShape(dir, VERDICT_STATS, 4, (int) CounterLayout.SIZE);
        requireShape(dir, RULE_NAMES, 4, (int) RuleNameLayout.SIZE);
        requireShape(dir, STATE, 4, (int) AttachStateLayout.SIZE);
        requireShape(dir, PrefixTrie.DST4.mapName(), (int) PrefixKeyLayout.V4_SIZE, (int) PrefixKeyLayout.VALUE_SIZE);
        requireShape(dir, PrefixTrie.SRC4.mapName(), (int) PrefixKeyLayout.V4_SIZE, (int) PrefixKeyLayout.VALUE_SIZE);
        requireShape(dir, PrefixTrie.DST6.mapName(), (int) PrefixKeyLayout.V6_SIZE, (int) PrefixKeyLayout.VALUE_SIZE);
        requireShape(dir, PrefixTrie.SRC6.mapName(), (int) PrefixKeyLayout.V6_SIZE, (int) PrefixKeyLayout.VALUE_SIZE);
        if (map(VERDICT_STATS).maxEntries() != Outcome.values().length) {
            throw new IllegalArgumentException("the classifier pinned at " + dir + " counts "
                    + map(VERDICT_STATS).maxEntries() + " outcomes, this version " + Outcome.values().length
                    + ": pinned by another version");
        }
    }

    private void requireShape(Path dir, String name, int keySize, int valueSize) {
        BpfMap m = map(name);
        if (m.keySize() != keySize || m.valueSize() != valueSize) {
            throw new IllegalArgumentException("map " + dir.resolve(name) + " has key " + m.keySize() + " B / value "
                    + m.valueSize() + " B, this version expects " + keySize + " B / " + valueSize
                    + " B: pinned by another classifier version");
        }
    }

    BpfProgram program() {
        return program;
    }

    BpfMap map(String name) {
        BpfMap m = maps.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no classifier map '" + name + "'");
        }
        return m;
    }

    BpfMap trie(PrefixTrie trie) {
        return map(trie.mapName());
    }

    /** Pins the program and every map under {@code dir}; on failure removes the pins it made. */
    void pin(Path dir) {
        List<Path> made = new ArrayList<>();
        try {
            Path p = dir.resolve(PROGRAM);
            program.pin(p);
            made.add(p);
            for (Map.Entry<String, BpfMap> e : maps.entrySet()) {
                Path mp = dir.resolve(e.getKey());
                e.getValue().pin(mp);
                made.add(mp);
            }
        } catch (RuntimeException | Error e) {
            for (Path p : made.reversed()) {
                try {
                    BpfMap.unpin(p);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Removes every pin of ours under {@code dir}; returns how many there were. */
    static int unpin(Path dir) {
        int removed = 0;
        BpfException first = null;
        List<String> names = new ArrayList<>(PINNED_MAPS);
        names.addFirst(PROGRAM);
        for (String name : names) {
            try {
                if (BpfProgram.unpin(dir.resolve(name))) {
                    removed++;
                }
            } catch (BpfException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return removed;
    }

    @Override
    public void close() {
        if (!owned) {
            return;
        }
        for (BpfMap m : maps.values()) {
            m.close();
        }
        program.close();
    }
}
