package io.splitplane.dataplane.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * IPv4 neighbours (ARP entries) keyed by {@code (port, address)}: a lock-free hash table workers
 * read while the control thread writes. Values are {@link Adjacency} words, so a hit is ready for
 * ip4-rewrite.
 *
 * <h2>Layout</h2>
 * One {@code long[]} of {@code 2 * capacity} words, slot {@code i} at {@code [2i, 2i+1]} (one 16-byte
 * pair, never split across a cache line):
 * <pre>
 *  [2i]   key   = (port + 1) &lt;&lt; 32 | address      0 = empty slot (port + 1 keeps real keys non-zero)
 *  [2i+1] value = adjacency word: RESOLVED | port | MAC, or UNRESOLVED | port for a removed entry
 * </pre>
 * Linear probing from {@code mix(key) & (capacity - 1)}; capacity is a power of two, at most half used.
 *
 * <h2>Why readers never see a torn or wrong entry</h2>
 * A slot's key, once written, never changes in that array: removing an entry rewrites its value to
 * UNRESOLVED and leaves the key (re-adding the same neighbour reuses the slot). So a reader that
 * matched a key reads that key's value, old or new, never another key's; and slots never empty again,
 * so no probe chain is ever cut. A new entry's value is stored before its key, and the key with
 * release; the reader loads the key with acquire, then the value. Values are single 64-bit words
 * (atomic through VarHandle), so port and MAC always belong together.
 *
 * <p>Dead keys are dropped when the table is rebuilt: a fresh array with the live entries, published
 * with a release store of the {@code table} field. A worker that still holds the old array reads a
 * value that was current a moment ago; the garbage collector, not a grace period, frees the old array,
 * because a worker's reference keeps it alive.
 *
 * <p>Threads: {@link #lookup} from any thread; the rest from the control thread.
 */
public final class NeighbourTable {
    private static final int MIN_CAPACITY = 16;
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle TABLE;

    static {
        try {
            TABLE = MethodHandles.lookup().findVarHandle(NeighbourTable.class, "table", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Read by workers with {@code getAcquire}. */
    private long[] table;
    /** Slots with a key (live or dead), and live ones. Control only. */
    private int used;
    private int live;
    private long rebuilds;

    public NeighbourTable() {
        this(MIN_CAPACITY);
    }

    /** @param expected neighbours expected (sizes the first table; it grows as needed) */
    public NeighbourTable(final int expected) {
        final int capacity = capacityFor(Math.max(expected, 1));
        TABLE.setRelease(this, new long[2 * capacity]);
    }

    private static int capacityFor(final int entries) {
        final long wanted = Math.max(MIN_CAPACITY, (long) entries * 4);
        if (wanted > 1 << 28) {
            throw new IllegalStateException("neighbour table too large, entries=" + entries);
        }
        return Integer.highestOneBit((int) wanted - 1) << 1;
    }

    static long key(final int port, final int address) {
        return ((long) (port + 1) << 32) | (address & 0xFFFF_FFFFL);
    }

    private static int home(final long key, final int mask) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /**
     * Hot path: the adjacency for {@code address} on {@code port}: RESOLVED with the MAC when the
     * neighbour is known, {@link Adjacency#unresolved(int) UNRESOLVED} otherwise. Never allocates, never
     * throws (for ports in range).
     */
    public long lookup(final int port, final int address) {
        final long[] t = (long[]) TABLE.getAcquire(this);
        final long key = key(port, address);
        final int mask = (t.length >>> 1) - 1;
        int i = home(key, mask);
        for (int probes = 0; probes <= mask; probes++) {
            final long k = (long) WORD.getAcquire(t, i << 1);
            if (k == key) {
                return (long) WORD.getAcquire(t, (i << 1) + 1);
            }
            if (k == 0) {
                break;
            }
            i = (i + 1) & mask;
        }
        return Adjacency.unresolved(port);
    }

    /**
     * Control: sets the neighbour {@code address} on {@code port} to {@code mac} (a usable ARP
     * entry). Returns whether anything changed.
     */
    public boolean set(final int port, final int address, final long mac) {
        Adjacency.checkPort(port);
        final long value = Adjacency.resolved(port, mac);
        final long key = key(port, address);
        long[] t = table;
        final int slot = find(t, key);
        if (slot >= 0) {
            final long old = (long) WORD.get(t, (slot << 1) + 1);
            if (old == value) {
                return false;
            }
            if (!Adjacency.isResolved(old)) {
                live++;
            }
            WORD.setRelease(t, (slot << 1) + 1, value);
            return true;
        }
        if ((used + 1) * 2 > (t.length >>> 1)) {
            t = rebuild(live + 1);
        }
        final int mask = (t.length >>> 1) - 1;
        int i = home(key, mask);
        while ((long) WORD.get(t, i << 1) != 0) {
            i = (i + 1) & mask;
        }
        WORD.set(t, (i << 1) + 1, value);
        WORD.setRelease(t, i << 1, key);
        used++;
        live++;
        return true;
    }

    /** Control: removes the neighbour (FAILED, INCOMPLETE or deleted). Returns whether it was there. */
    public boolean remove(final int port, final int address) {
        Adjacency.checkPort(port);
        final long[] t = table;
        final int slot = find(t, key(port, address));
        if (slot < 0) {
            return false;
        }
        final long old = (long) WORD.get(t, (slot << 1) + 1);
        if (!Adjacency.isResolved(old)) {
            return false;
        }
        WORD.setRelease(t, (slot << 1) + 1, Adjacency.unresolved(port));
        live--;
        if (used > MIN_CAPACITY && live * 4 < used) {
            rebuild(live);
        }
        return true;
    }

    /** Control: the MAC of a known neighbour, or -1. */
    public long mac(final int port, final int address) {
        final long adjacency = lookup(port, address);
        return Adjacency.isResolved(adjacency) ? Adjacency.mac(adjacency) : -1L;
    }

    /** Known neighbours. */
    public int size() {
        return live;
    }

    /** Slots in the current array. */
    public int capacity() {
        return table.length >>> 1;
    }

    /** Times the array has been rebuilt (grown or compacted). */
    public long rebuilds() {
        return rebuilds;
    }

    /** Every known neighbour, sorted by port then address (control side; allocates). */
    public List<Entry> entries() {
        final long[] t = table;
        final List<Entry> list = new ArrayList<>(live);
        for (int i = 0; i < t.length; i += 2) {
            if (t[i] != 0 && Adjacency.isResolved(t[i + 1])) {
                list.add(new Entry((int) (t[i] >>> 32) - 1, (int) t[i], Adjacency.mac(t[i + 1])));
            }
        }
        list.sort(Comparator.comparingInt(Entry::port).thenComparing(e -> e.address() & 0xFFFF_FFFFL));
        return list;
    }

    /**
     * A known neighbour.
     *
     * @param port    egress port index
     * @param address IPv4 address (host order)
     * @param mac     its Ethernet address (48-bit number)
     */
    public record Entry(int port, int address, long mac) {
        @Override
        public String toString() {
            return Ip4.toString(address) + " port " + port + " " + Adjacency.macToString(mac);
        }
    }

    private static int find(final long[] t, final long key) {
        final int mask = (t.length >>> 1) - 1;
        int i = home(key, mask);
        while (true) {
            final long k = (long) WORD.get(t, i << 1);
            if (k == key) {
                return i;
            }
            if (k == 0) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    /** Copies the live entries into a new array sized for {@code entries} and publishes it. */
    private long[] rebuild(final int entries) {
        final long[] old = table;
        final int capacity = capacityFor(entries);
        final long[] fresh = new long[2 * capacity];
        final int mask = capacity - 1;
        int count = 0;
        for (int s = 0; s < old.length; s += 2) {
            final long k = old[s];
            final long v = old[s + 1];
            if (k != 0 && Adjacency.isResolved(v)) {
                int i = home(k, mask);
                while (fresh[i << 1] != 0) {
                    i = (i + 1) & mask;
                }
                fresh[i << 1] = k;
                fresh[(i << 1) + 1] = v;
                count++;
            }
        }
        used = count;
        live = count;
        rebuilds++;
        // Release: the filled array is visible before a worker can load it.
        TABLE.setRelease(this, fresh);
        return fresh;
    }
}
