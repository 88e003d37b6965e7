package io.splitplane.dataplane.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Next hops by id, the neighbour table they resolve through, and each port's own MAC: everything
 * ip4-rewrite reads after the FIB lookup.
 *
 * <h2>What a worker reads</h2>
 * <pre>
 *  adjacency: long[id]   one {@link Adjacency} word per next hop (0 = INVALID: no such id)
 *  portMacs:  long[4096] the source MAC of each egress port
 *  neighbours: {@link NeighbourTable}, only for CONNECTED next hops (state GLEAN)
 * </pre>
 * A gateway next hop carries its neighbour's MAC in its own word (the control thread rewrites the word
 * of every next hop bound to a neighbour when the neighbour changes), so the common case is one 64-bit
 * load after the FIB. A connected next hop (a device route: the packet's destination is the neighbour)
 * costs one more hash lookup, keyed by the destination.
 *
 * <h2>Memory order</h2>
 * The {@code adjacency} array is replaced when it grows: the reference is published with release and
 * loaded with acquire (a pointer). Its words and the port MACs are self-contained values: written with
 * release and read with opaque, which is atomic for {@code long} and cannot be hoisted out of a loop;
 * the happens-before a worker needs (the word exists before a route names its id) comes from the
 * acquire load of the FIB entry that led it here.
 *
 * <h2>Ids</h2>
 * Ids are chosen by the caller, 1 .. {@code maxId}, dense (an array index); kernel nexthop ids can be
 * any u32, so the netlink agent maps them to dense ids ({@link IdAllocator}). An id must not be
 * reused for a different next hop while a worker may still hold it from an earlier lookup:
 * {@link IdAllocator} hands removed ids out again only after a grace period.
 *
 * <p>Threads: {@link #adjacency}, {@link #resolve}, {@link #portMac} from any thread; the rest from the
 * control thread.
 */
public final class NextHopTable {
    public static final int DEFAULT_MAX_ID = 1 << 20;

    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle ADJACENCY;

    static {
        try {
            ADJACENCY = MethodHandles.lookup().findVarHandle(NextHopTable.class, "adjacency", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Read by workers with {@code getAcquire}. */
    private long[] adjacency;
    private final long[] portMacs = new long[Adjacency.MAX_PORTS];
    private final NeighbourTable neighbours;

    // ---- control only ----
    private NextHop[] definitions;
    /** Neighbour key → ids of the gateway next hops that resolve through it. */
    private final Map<Long, int[]> bindings = new HashMap<>();
    private final int maxId;
    private int count;

    public NextHopTable() {
        this(DEFAULT_MAX_ID);
    }

    /** @param maxId largest id accepted (the arrays grow up to {@code maxId + 1} entries) */
    public NextHopTable(final int maxId) {
        if (maxId < 1 || maxId > FibResult.MAX_ID) {
            throw new IllegalArgumentException("maxId=" + maxId + " out of range 1.." + FibResult.MAX_ID);
        }
        this.maxId = maxId;
        this.neighbours = new NeighbourTable();
        this.definitions = new NextHop[64];
        ADJACENCY.setRelease(this, new long[64]);
    }

    // =============================================================================================
    // Hot path
    // =============================================================================================

    /** The adjacency word of next hop {@code id}; {@link Adjacency#INVALID} (0) for an unknown id. */
    public long adjacency(final int id) {
        final long[] a = (long[]) ADJACENCY.getAcquire(this);
        if (Integer.compareUnsigned(id, a.length) >= 0) {
            return 0L;
        }
        return (long) WORD.getOpaque(a, id);
    }

    /**
     * The adjacency to send a packet for {@code destination} through next hop {@code id}: for a
     * connected next hop, the neighbour entry of the destination itself. The state is then RESOLVED
     * (send), UNRESOLVED (punt: needs resolution), DROP or INVALID; never GLEAN.
     */
    public long resolve(final int id, final int destination) {
        final long word = adjacency(id);
        if (Adjacency.state(word) == Adjacency.GLEAN) {
            return neighbours.lookup(Adjacency.port(word), destination);
        }
        return word;
    }

    /** The MAC of egress {@code port} (the source MAC of rewritten packets); 0 when not set. */
    public long portMac(final int port) {
        return (long) WORD.getOpaque(portMacs, port & (Adjacency.MAX_PORTS - 1));
    }

    /** The neighbour table (workers may call its {@link NeighbourTable#lookup}). */
    public NeighbourTable neighbours() {
        return neighbours;
    }

    // =============================================================================================
    // Control: ports, next hops, neighbours
    // =============================================================================================

    /** Sets the MAC of {@code port} (the link's {@code IFLA_ADDRESS}). */
    public void setPortMac(final int port, final long mac) {
        Adjacency.checkPort(port);
        WORD.setRelease(portMacs, port, mac & Adjacency.MAC_MASK);
    }

    /** Adds next hop {@code id}; returns false, changing nothing, when the id is in use. */
    public boolean add(final int id, final NextHop nextHop) {
        checkId(id);
        if (id < definitions.length && definitions[id] != null) {
            return false;
        }
        define(id, nextHop);
        return true;
    }

    /** Adds or replaces next hop {@code id}; returns the previous definition, if any. */
    public Optional<NextHop> replace(final int id, final NextHop nextHop) {
        checkId(id);
        final NextHop previous = id < definitions.length ? definitions[id] : null;
        if (nextHop.equals(previous)) {
            return Optional.of(previous);
        }
        define(id, nextHop);
        return Optional.ofNullable(previous);
    }

    /**
     * Removes next hop {@code id}: its word becomes INVALID, so routes still naming it drop (the
     * netlink agent removes those routes, as the kernel does). Returns the removed definition.
     */
    public Optional<NextHop> remove(final int id) {
        checkId(id);
        if (id >= definitions.length || definitions[id] == null) {
            return Optional.empty();
        }
        final NextHop previous = definitions[id];
        unbind(id, previous);
        definitions[id] = null;
        count--;
        WORD.setRelease(adjacency, id, 0L);
        return Optional.of(previous);
    }

    /** The definition of next hop {@code id}. */
    public Optional<NextHop> get(final int id) {
        checkId(id);
        return id < definitions.length ? Optional.ofNullable(definitions[id]) : Optional.empty();
    }

    /** Defined next hops. */
    public int size() {
        return count;
    }

    /** Every next hop by id (control side; allocates). */
    public Map<Integer, NextHop> nextHops() {
        final Map<Integer, NextHop> map = new TreeMap<>();
        for (int id = 0; id < definitions.length; id++) {
            if (definitions[id] != null) {
                map.put(id, definitions[id]);
            }
        }
        return map;
    }

    /**
     * Sets neighbour {@code address} on {@code port} to {@code mac} (install only usable states:
     * REACHABLE, STALE, DELAY, PROBE, PERMANENT) and resolves every gateway next hop bound to it.
     * Returns whether anything changed.
     */
    public boolean setNeighbour(final int port, final int address, final long mac) {
        if (!neighbours.set(port, address, mac)) {
            return false;
        }
        rewriteBound(port, address, Adjacency.resolved(port, mac));
        return true;
    }

    /**
     * Removes neighbour {@code address} on {@code port} (FAILED, INCOMPLETE, RTM_DELNEIGH): the
     * next hops through it become UNRESOLVED (punt, so the kernel resolves again).
     */
    public boolean removeNeighbour(final int port, final int address) {
        if (!neighbours.remove(port, address)) {
            return false;
        }
        rewriteBound(port, address, Adjacency.unresolved(port));
        return true;
    }

    private void rewriteBound(final int port, final int address, final long word) {
        final int[] ids = bindings.get(NeighbourTable.key(port, address));
        if (ids == null) {
            return;
        }
        final long[] a = adjacency;
        for (final int id : ids) {
            WORD.setRelease(a, id, word);
        }
    }

    private void define(final int id, final NextHop nextHop) {
        ensureCapacity(id);
        final NextHop previous = definitions[id];
        if (previous != null) {
            unbind(id, previous);
        } else {
            count++;
        }
        definitions[id] = nextHop;
        final long word = switch (nextHop.type()) {
            case GATEWAY -> {
                bind(id, nextHop);
                yield neighbours.lookup(nextHop.port(), nextHop.gateway());
            }
            case CONNECTED -> Adjacency.make(Adjacency.GLEAN, nextHop.port(), 0);
            case DROP -> Adjacency.make(Adjacency.DROP, 0, 0);
        };
        WORD.setRelease(adjacency, id, word);
    }

    private void bind(final int id, final NextHop nextHop) {
        bindings.merge(NeighbourTable.key(nextHop.port(), nextHop.gateway()), new int[] {id}, (old, add) -> {
            final int[] merged = Arrays.copyOf(old, old.length + 1);
            merged[old.length] = id;
            return merged;
        });
    }

    private void unbind(final int id, final NextHop nextHop) {
        if (nextHop.type() != NextHop.Type.GATEWAY) {
            return;
        }
        final Long key = NeighbourTable.key(nextHop.port(), nextHop.gateway());
        final int[] ids = bindings.get(key);
        if (ids == null) {
            return;
        }
        final int[] kept = Arrays.stream(ids).filter(i -> i != id).toArray();
        if (kept.length == 0) {
            bindings.remove(key);
        } else {
            bindings.put(key, kept);
        }
    }

    private void ensureCapacity(final int id) {
        if (id < definitions.length) {
            return;
        }
        final int capacity = (int) Math.min(Math.max((long) definitions.length * 2, id + 1L), maxId + 1L);
        definitions = Arrays.copyOf(definitions, capacity);
        // Release: the copy is complete before a worker can load the new array. Workers still using
        // the old one read values that were current a moment ago; later writes go to the new one.
        ADJACENCY.setRelease(this, Arrays.copyOf(adjacency, capacity));
    }

    private void checkId(final int id) {
        if (id < 1 || id > maxId) {
            throw new IllegalArgumentException("next-hop id=" + id + " out of range 1.." + maxId);
        }
    }
}
