package io.splitplane.dataplane.fib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The IPv4 forwarding table: longest-prefix match in a DIR-24-8 table (as DPDK's {@code rte_lpm}),
 * read by worker threads without locks while one control thread changes it.
 *
 * <h2>Layout</h2>
 * <pre>
 *  tbl24: 2^24 x int32 (64 MiB, off-heap, huge pages)   indexed by dst[31:8]
 *  +-------------------------------+
 *  | 0 | kind | id   (a target)    |  bit 31 clear: the answer for all 256 addresses of this /24
 *  | 1 | tbl8 group index g        |  bit 31 set:   look in group g
 *  +-------------------------------+
 *  tbl8 pool: groups of 256 x int32 (1 KiB each, off-heap, grown by doubling)   indexed by dst[7:0]
 *  group g at byte offset g * 1024; every entry is a target ({@link FibResult}), never an extension
 * </pre>
 * A lookup is one load for routes up to /24 and two for longer ones; an entry is the result.
 *
 * <p>The /0 route is the exception: it is not painted into the tables but kept in one field,
 * {@code defaultRoute}, and an entry of 0 means "only the default route covers this". The lookup then
 * returns that field. Painting a /0 would rewrite 16M entries (tens of milliseconds) on every
 * default-route change, which alone would break a 10 ms convergence budget; this way it is one
 * store, and the hot path pays one compare it needs anyway ({@code entry > 0}).
 *
 * <p>Control-only shadows, never read by workers: the length of the route each entry came from
 * ({@code depth24}: 16 MiB off-heap bytes; {@code depth8}: 256 bytes per group, on heap), the number of
 * longer-than-/24 routes in each group, and the route set itself ({@link PrefixTable}). The route set
 * is the source of truth: removing a prefix looks up its longest covering prefix there and repaints
 * exactly the entries whose depth is the removed length, so the covering route comes back.
 *
 * <h2>Publication (single writer, many readers)</h2>
 * <ul>
 * <li>Entries are 32-bit and are only ever written whole, with {@code setRelease}, so a reader sees
 * either the old or the new word (JLS 17.7: int accesses are atomic; VarHandle modes too), never a
 * mix. Readers load them with {@code getAcquire}: an entry is a pointer (to a tbl8 group, to a next
 * hop or group in the other tables), and acquire pairs with the writer's release so that what it
 * points at, written before, is visible. On x86 (TSO) both compile to a plain {@code mov}; the modes
 * only forbid the JIT to reorder or hoist them (a plain load could be hoisted out of a worker's loop
 * and never see an update). {@link #lookupBatch} gets the same guarantees from plain loads and one
 * acquire fence per vector, which lets C2 overlap the cache misses (see there).</li>
 * <li>A new tbl8 group is filled completely (copy of the /24's previous entry, then the new prefix)
 * before the tbl24 entry pointing at it is stored with release.</li>
 * <li>When its last longer-than-/24 route goes, a group's entries are all equal; that value is
 * stored back into tbl24 (release), and the group is {@link Quiescence#retire retired}: it returns
 * to the free list only after every worker has passed a quiescent point, so a worker that loaded the
 * old tbl24 entry never reads the group after it is reused for another /24.</li>
 * <li>When the pool is full, a pool twice the size is filled with a copy and published with release
 * (field {@code tbl8}); later writes go to the new pool only, and the old one is unmapped after a grace
 * period. A reader that still uses the old pool sees values that were current at the copy, the same
 * staleness as reading just before an update.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * {@link #lookup} and {@link #lookupBatch} from any worker registered with the {@link Quiescence}
 * given here; everything else from one control thread. The hot-path methods never throw, allocate or
 * lock; control methods throw only for caller bugs (bad prefix, bad target) and for capacity
 * exhaustion, and leave the table unchanged when they do.
 */
public final class Ip4Fib implements AutoCloseable {
    public static final int TBL24_ENTRIES = 1 << 24;
    public static final int TBL8_GROUP_ENTRIES = 256;
    /** Bit 31 of a tbl24 entry: the rest is a tbl8 group index. */
    static final int EXTENDED = 0x8000_0000;
    static final long ENTRY_BYTES = 4;
    static final long TBL8_GROUP_BYTES = TBL8_GROUP_ENTRIES * ENTRY_BYTES;
    static final long TBL24_BYTES = TBL24_ENTRIES * ENTRY_BYTES;

    public static final int DEFAULT_INITIAL_TBL8_GROUPS = 256;
    /** 2^20 groups is 1 GiB of tbl8 pool: far beyond any real table, a guard against runaway growth. */
    public static final int DEFAULT_MAX_TBL8_GROUPS = 1 << 20;

    /** Marks a route that {@link #markAllStale()} marked and nothing has confirmed since (route set only). */
    private static final int STALE = 0x8000_0000;

    private static final VarHandle ENTRY = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle TBL8;
    private static final VarHandle DEFAULT_ROUTE;

    static {
        try {
            TBL8 = MethodHandles.lookup().findVarHandle(Ip4Fib.class, "tbl8", MemorySegment.class);
            DEFAULT_ROUTE = MethodHandles.lookup().findVarHandle(Ip4Fib.class, "defaultRoute", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- read by workers ----
    private final MemorySegment tbl24;
    /** The current tbl8 pool; read by workers with {@code getAcquire} through {@link #TBL8}. */
    @SuppressWarnings("unused")
    private MemorySegment tbl8;
    /** The /0 route's target, or NO_ROUTE; read by workers with {@code getAcquire} through {@link #DEFAULT_ROUTE}. */
    @SuppressWarnings("unused")
    private int defaultRoute;

    // ---- control thread only ----
    private final Quiescence quiescence;
    private final Arena arena;
    private final MemorySegment depth24;
    private Arena tbl8Arena;
    /** The pool as the writer uses it (same as {@link #tbl8}, read without a barrier by its only writer). */
    private MemorySegment pool;
    private byte[] depth8;
    /** Per group: how many routes longer than /24 it holds; 0 for a free group. */
    private int[] groupRoutes;
    private int groupCapacity;
    private final int maxGroups;
    /** Groups [0, groupsCarved) have been handed out at least once. */
    private int groupsCarved;
    private int[] freeGroups = new int[64];
    private int freeCount;
    private int groupsInUse;
    private int groupsAwaitingGrace;
    private final List<Arena> retiredPoolArenas = new ArrayList<>();
    private final PrefixTable routes = new PrefixTable();
    private long entryWrites;
    private boolean closed;

    /** A FIB with {@value #DEFAULT_INITIAL_TBL8_GROUPS} tbl8 groups to start with. */
    public Ip4Fib(final Quiescence quiescence) {
        this(quiescence, DEFAULT_INITIAL_TBL8_GROUPS, DEFAULT_MAX_TBL8_GROUPS);
    }

    /**
     * @param quiescence        the workers that read this table register here
     * @param initialTbl8Groups groups allocated up front (the pool doubles when they run out)
     * @param maxTbl8Groups     the pool never grows beyond this; adding a route that needs more throws
     */
    public Ip4Fib(final Quiescence quiescence, final int initialTbl8Groups, final int maxTbl8Groups) {
        if (quiescence == null) {
            throw new NullPointerException("quiescence");
        }
        if (maxTbl8Groups < 1 || maxTbl8Groups > TBL24_ENTRIES) {
            throw new IllegalArgumentException("maxTbl8Groups=" + maxTbl8Groups + " out of range 1.." + TBL24_ENTRIES);
        }
        if (initialTbl8Groups < 1 || initialTbl8Groups > maxTbl8Groups) {
            throw new IllegalArgumentException("initialTbl8Groups=" + initialTbl8Groups + " out of range 1..maxTbl8Groups="
                    + maxTbl8Groups);
        }
        this.quiescence = quiescence;
        this.maxGroups = maxTbl8Groups;
        this.arena = Arena.ofShared();
        boolean done = false;
        try {
            this.tbl24 = NativeMemory.allocateZeroed(arena, TBL24_BYTES, true);
            this.depth24 = NativeMemory.allocateZeroed(arena, TBL24_ENTRIES, false);
            this.groupCapacity = initialTbl8Groups;
            this.tbl8Arena = Arena.ofShared();
            this.pool = NativeMemory.allocateZeroed(tbl8Arena, initialTbl8Groups * TBL8_GROUP_BYTES,
                    initialTbl8Groups * TBL8_GROUP_BYTES >= NativeMemory.HUGE_PAGE_BYTES);
            this.depth8 = new byte[initialTbl8Groups * TBL8_GROUP_ENTRIES];
            this.groupRoutes = new int[initialTbl8Groups];
            TBL8.setRelease(this, pool);
            done = true;
        } finally {
            if (!done) {
                arena.close();
                if (tbl8Arena != null) {
                    tbl8Arena.close();
                }
            }
        }
    }

    // =============================================================================================
    // Hot path
    // =============================================================================================

    /**
     * The {@link FibResult} of the longest prefix covering {@code address} (host order), or
     * {@link FibResult#NO_ROUTE}. One acquire load for addresses under a route up to /24, two for
     * longer ones (plus one of a hot field for addresses only the default route covers); never throws,
     * never allocates.
     */
    public int lookup(final int address) {
        final int entry = (int) ENTRY.getAcquire(tbl24, (long) (address >>> 8) << 2);
        if (entry > 0) {
            return entry;
        }
        return entry == 0 ? (int) DEFAULT_ROUTE.getAcquire(this) : tbl8Entry(entry, address);
    }

    /**
     * Looks up {@code count} addresses: {@code results[i] = lookup(addresses[i])}. Prefer this in a
     * node that handles a vector: about 1.5x the throughput of {@link #lookup} in a loop when the
     * table does not fit in the caches.
     *
     * <p>Memory order: the first pass loads every tbl24 entry with a plain load, then
     * {@link VarHandle#acquireFence()}; the second pass resolves the few entries that are not final
     * answers (tbl8, default route). An aligned {@code int} load is single-copy atomic (JLS 17.7), so
     * no entry is torn, and a plain load followed by an acquire fence orders it before every later
     * load as an acquire load would (the relaxed-load-then-acquire-fence idiom), so the group, pool or
     * next hop an entry points at is seen as published. The fence also keeps the JIT from hoisting a
     * later batch's loads above it, so a worker re-reads the table every vector. Why not
     * {@code getAcquire} per entry: on a {@code MemorySegment} C2 then neither unrolls nor schedules
     * the loop, and with 1M routes (cache misses) the loads of different packets overlap far less:
     * 30-35 ns per address instead of 17-22 ns here.
     */
    public void lookupBatch(final int[] addresses, final int[] results, final int count) {
        final MemorySegment t24 = tbl24;
        for (int i = 0; i < count; i++) {
            results[i] = (int) ENTRY.get(t24, (long) (addresses[i] >>> 8) << 2);
        }
        VarHandle.acquireFence();
        for (int i = 0; i < count; i++) {
            final int entry = results[i];
            if (entry <= 0) {
                results[i] = entry == 0 ? (int) DEFAULT_ROUTE.getAcquire(this) : tbl8Entry(entry, addresses[i]);
            }
        }
    }

    private int tbl8Entry(final int entry, final int address) {
        // Acquire: the tbl24 entry we followed was published after the pool that holds its group.
        final MemorySegment t8 = (MemorySegment) TBL8.getAcquire(this);
        final long offset = ((long) (entry & ~EXTENDED) << 10) + ((address & 0xFF) << 2);
        final int result = (int) ENTRY.getAcquire(t8, offset);
        return result != 0 ? result : (int) DEFAULT_ROUTE.getAcquire(this);
    }

    // =============================================================================================
    // Control: routes
    // =============================================================================================

    /**
     * Adds {@code prefix/length → target} if that prefix has no route. Returns false, changing
     * nothing, when it has one (use {@link #replaceRoute} to change it).
     *
     * @throws IllegalArgumentException for host bits set in {@code prefix}, a bad length or a target
     *                                  that is not {@linkplain FibResult#isRouteTarget a route target}
     * @throws IllegalStateException    when the route needs a tbl8 group and the pool is at its maximum
     */
    public boolean addRoute(final int prefix, final int length, final int target) {
        checkRoute(prefix, length, target);
        if (routes.get(prefix, length) != 0) {
            return false;
        }
        install(prefix, length, target, 0);
        return true;
    }

    /**
     * Adds or replaces the route of {@code prefix/length} ({@code NLM_F_REPLACE}); returns the target it
     * had, or {@link FibResult#NO_ROUTE}. Also confirms a route marked by {@link #markAllStale()}.
     *
     * @throws IllegalArgumentException as {@link #addRoute}
     * @throws IllegalStateException    as {@link #addRoute}
     */
    public int replaceRoute(final int prefix, final int length, final int target) {
        checkRoute(prefix, length, target);
        final int stored = routes.get(prefix, length);
        if (stored == target) {
            return target;
        }
        if ((stored & ~STALE) == target) {
            routes.put(prefix, length, target); // confirmed by a resync: clear the mark, nothing to paint
            return target;
        }
        install(prefix, length, target, stored);
        return stored & ~STALE;
    }

    /**
     * Removes the route of {@code prefix/length}, so that its addresses fall back to the longest
     * shorter prefix covering them (or no route). Returns the removed target, or
     * {@link FibResult#NO_ROUTE} when there was none.
     */
    public int removeRoute(final int prefix, final int length) {
        checkPrefix(prefix, length);
        checkOpen();
        quiescence.reclaim();
        final int removed = routes.remove(prefix, length);
        if (removed == 0) {
            return FibResult.NO_ROUTE;
        }
        if (length == 0) {
            DEFAULT_ROUTE.setRelease(this, FibResult.NO_ROUTE);
            return removed & ~STALE;
        }
        // Never the /0: the default route lives in its own field, and entries it alone covers hold 0.
        final long covering = routes.longestCovering(prefix, length);
        final int coverValue = covering < 0 ? FibResult.NO_ROUTE : (int) covering & ~STALE;
        final int coverDepth = covering < 0 ? 0 : (int) (covering >>> 32);
        if (length <= 24) {
            paintShort(prefix, length, coverValue, coverDepth, true);
        } else {
            final int block = prefix >>> 8;
            final int group = (int) ENTRY.get(tbl24, (long) block << 2) & ~EXTENDED;
            paintGroup(group, prefix & 0xFF, 1 << (32 - length), length, coverValue, coverDepth, true);
            if (--groupRoutes[group] == 0) {
                collapse(block, group);
            }
        }
        return removed & ~STALE;
    }

    /**
     * Loads {@code count} routes ({@code prefixes[i]/lengths[i] → targets[i]}), as
     * {@link #replaceRoute} each. For a full table at start-up or after a resync.
     */
    public void bulkLoad(final int[] prefixes, final int[] lengths, final int[] targets, final int count) {
        for (int i = 0; i < count; i++) {
            checkRoute(prefixes[i], lengths[i], targets[i]);
        }
        for (int i = 0; i < count; i++) {
            replaceRoute(prefixes[i], lengths[i], targets[i]);
        }
    }

    /** The target of exactly {@code prefix/length}, or {@link FibResult#NO_ROUTE}. */
    public int route(final int prefix, final int length) {
        checkPrefix(prefix, length);
        return routes.get(prefix, length) & ~STALE;
    }

    /**
     * The route {@code address} matches, from the route set (control side; for {@code show ip fib
     * <address>}), or empty.
     */
    public Optional<FibRoute> longestMatch(final int address) {
        final long match = routes.longestMatch(address);
        if (match < 0) {
            return Optional.empty();
        }
        final int length = (int) (match >>> 32);
        return Optional.of(new FibRoute(address & PrefixTable.mask(length), length, (int) match & ~STALE));
    }

    /** Every route, sorted by address then length (control side; allocates). */
    public List<FibRoute> routes() {
        final List<FibRoute> list = new ArrayList<>(routes.size());
        for (int l = 0; l <= PrefixTable.MAX_LENGTH; l++) {
            routes.forEach(l, (p, len, v) -> list.add(new FibRoute(p, len, v & ~STALE)));
        }
        Collections.sort(list);
        return list;
    }

    /** The routes inside {@code prefix/length} (itself and more specifics), sorted. */
    public List<FibRoute> routesWithin(final int prefix, final int length) {
        checkPrefix(prefix, length);
        final int mask = PrefixTable.mask(length);
        final List<FibRoute> list = new ArrayList<>();
        for (int l = length; l <= PrefixTable.MAX_LENGTH; l++) {
            routes.forEach(l, (p, len, v) -> {
                if ((p & mask) == prefix) {
                    list.add(new FibRoute(p, len, v & ~STALE));
                }
            });
        }
        Collections.sort(list);
        return list;
    }

    public int routeCount() {
        return routes.size();
    }

    /** Routes of one prefix length. */
    public int routeCount(final int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length=" + length + " out of range 0..32");
        }
        return routes.size(length);
    }

    // ---- resync (mark and sweep) ----

    /**
     * Marks every route stale. A resync then re-adds what the kernel still has through
     * {@link #replaceRoute} (which clears the mark) and calls {@link #sweepStale()}. Lookups are
     * unaffected.
     */
    public void markAllStale() {
        for (int l = 0; l <= PrefixTable.MAX_LENGTH; l++) {
            routes.replaceAll(l, (p, len, v) -> v | STALE);
        }
    }

    /** Removes every route still marked stale; returns how many. */
    public int sweepStale() {
        final IntList prefixes = new IntList();
        final IntList lengths = new IntList();
        for (int l = 0; l <= PrefixTable.MAX_LENGTH; l++) {
            routes.forEach(l, (p, len, v) -> {
                if ((v & STALE) != 0) {
                    prefixes.add(p);
                    lengths.add(len);
                }
            });
        }
        for (int i = 0; i < prefixes.size; i++) {
            removeRoute(prefixes.values[i], lengths.values[i]);
        }
        return prefixes.size;
    }

    /** Routes currently marked stale. */
    public int staleCount() {
        final int[] n = {0};
        for (int l = 0; l <= PrefixTable.MAX_LENGTH; l++) {
            routes.forEach(l, (p, len, v) -> {
                if ((v & STALE) != 0) {
                    n[0]++;
                }
            });
        }
        return n[0];
    }

    // ---- memory and statistics ----

    /** tbl8 groups holding routes now. */
    public int tbl8GroupsInUse() {
        return groupsInUse;
    }

    /** tbl8 groups unlinked and waiting for a grace period before reuse. */
    public int tbl8GroupsAwaitingGrace() {
        return groupsAwaitingGrace;
    }

    /** Size of the tbl8 pool in groups. */
    public int tbl8Capacity() {
        return groupCapacity;
    }

    /** Off-heap bytes mapped: tbl24, its depth shadow and the tbl8 pool (excluding retired pools). */
    public long offHeapBytes() {
        return TBL24_BYTES + TBL24_ENTRIES + (long) groupCapacity * TBL8_GROUP_BYTES;
    }

    /** Heap bytes of the control-side structures (route set, tbl8 shadows), arrays only. */
    public long heapBytes() {
        return routes.heapBytes() + depth8.length + 4L * groupRoutes.length + 4L * freeGroups.length;
    }

    /** Table entries written since creation (a measure of update cost). */
    public long entryWrites() {
        return entryWrites;
    }

    /** The tbl8 group serving {@code address}'s /24, or -1 when it has none (for tests and show). */
    public int tbl8GroupOf(final int address) {
        final int entry = (int) ENTRY.getAcquire(tbl24, (long) (address >>> 8) << 2);
        return entry < 0 ? entry & ~EXTENDED : -1;
    }

    /**
     * Unmaps the tables. Workers must have stopped reading them: a lookup after close throws
     * {@link IllegalStateException} (it never reads freed memory). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (final Arena retired : retiredPoolArenas) {
            retired.close();
        }
        retiredPoolArenas.clear();
        tbl8Arena.close();
        arena.close();
    }

    // =============================================================================================
    // Painting
    // =============================================================================================

    /** Adds or replaces; {@code previous} is the route set's old value (0 when new). */
    private void install(final int prefix, final int length, final int target, final int previous) {
        checkOpen();
        quiescence.reclaim();
        if (length == 0) {
            routes.put(prefix, length, target);
            DEFAULT_ROUTE.setRelease(this, target);
            return;
        }
        if (length <= 24) {
            routes.put(prefix, length, target);
            paintShort(prefix, length, target, length, false);
            return;
        }
        final int block = prefix >>> 8;
        final long offset24 = (long) block << 2;
        final int entry = (int) ENTRY.get(tbl24, offset24);
        final int group;
        final boolean fresh = entry >= 0;
        if (fresh) {
            // Allocate (and possibly grow the pool) before touching the route set, so that running
            // out of groups leaves everything unchanged.
            group = allocateGroup();
            final MemorySegment p = pool;
            final long base = (long) group * TBL8_GROUP_BYTES;
            for (int i = 0; i < TBL8_GROUP_ENTRIES; i++) {
                // Plain stores: nobody can reach this group until the release store below.
                ENTRY.set(p, base + ((long) i << 2), entry);
            }
            Arrays.fill(depth8, group * TBL8_GROUP_ENTRIES, (group + 1) * TBL8_GROUP_ENTRIES,
                    depth24.get(ValueLayout.JAVA_BYTE, block));
            entryWrites += TBL8_GROUP_ENTRIES;
        } else {
            group = entry & ~EXTENDED;
        }
        routes.put(prefix, length, target);
        paintGroup(group, prefix & 0xFF, 1 << (32 - length), length, target, length, false);
        if (previous == 0) {
            groupRoutes[group]++;
        }
        if (fresh) {
            ENTRY.setRelease(tbl24, offset24, EXTENDED | group);
            entryWrites++;
        }
    }

    /**
     * Repaints the tbl24 range of a route of length &lt;= 24, descending into tbl8 groups. Adding
     * ({@code removing == false}) overwrites entries whose depth is at most {@code length} (no route,
     * a shorter covering route, or this route's old target); removing overwrites the entries whose
     * depth is exactly {@code length}, which only the removed route can own.
     */
    private void paintShort(final int prefix, final int length, final int value, final int depth,
                            final boolean removing) {
        final int first = prefix >>> 8;
        final int end = first + (1 << (24 - length));
        final MemorySegment t24 = tbl24;
        final MemorySegment d24 = depth24;
        final byte newDepth = (byte) depth;
        for (int i = first; i < end; i++) {
            final long offset = (long) i << 2;
            final int entry = (int) ENTRY.get(t24, offset);
            if (entry < 0) {
                paintGroup(entry & ~EXTENDED, 0, TBL8_GROUP_ENTRIES, length, value, depth, removing);
                continue;
            }
            final int d = d24.get(ValueLayout.JAVA_BYTE, i);
            if (removing ? d == length : d <= length) {
                if (entry != value) {
                    ENTRY.setRelease(t24, offset, value);
                    entryWrites++;
                }
                if (d != depth) {
                    d24.set(ValueLayout.JAVA_BYTE, i, newDepth);
                }
            }
        }
    }

    private void paintGroup(final int group, final int firstIndex, final int count, final int length,
                            final int value, final int depth, final boolean removing) {
        final MemorySegment p = pool;
        final byte[] d8 = depth8;
        final int base = group * TBL8_GROUP_ENTRIES;
        final byte newDepth = (byte) depth;
        for (int i = firstIndex; i < firstIndex + count; i++) {
            final int d = d8[base + i];
            if (removing ? d == length : d <= length) {
                final long offset = ((long) (base + i)) << 2;
                if ((int) ENTRY.get(p, offset) != value) {
                    ENTRY.setRelease(p, offset, value);
                    entryWrites++;
                }
                d8[base + i] = newDepth;
            }
        }
    }

    /** The /24 {@code block} has no route longer than /24 left: put its single value back in tbl24. */
    private void collapse(final int block, final int group) {
        final int value = (int) ENTRY.get(pool, (long) group * TBL8_GROUP_BYTES);
        final byte depth = depth8[group * TBL8_GROUP_ENTRIES];
        depth24.set(ValueLayout.JAVA_BYTE, block, depth);
        ENTRY.setRelease(tbl24, (long) block << 2, value);
        entryWrites++;
        groupsInUse--;
        groupsAwaitingGrace++;
        quiescence.retire(() -> {
            groupsAwaitingGrace--;
            pushFree(group);
        });
    }

    // =============================================================================================
    // tbl8 group allocation
    // =============================================================================================

    private int allocateGroup() {
        final int group;
        if (freeCount > 0) {
            group = freeGroups[--freeCount];
        } else {
            if (groupsCarved == groupCapacity) {
                growPool();
            }
            group = groupsCarved++;
        }
        groupRoutes[group] = 0;
        groupsInUse++;
        return group;
    }

    private void pushFree(final int group) {
        if (closed) {
            return;
        }
        if (freeCount == freeGroups.length) {
            freeGroups = Arrays.copyOf(freeGroups, freeCount * 2);
        }
        freeGroups[freeCount++] = group;
    }

    private void growPool() {
        if (groupCapacity >= maxGroups) {
            throw new IllegalStateException("tbl8 pool exhausted, maxTbl8Groups=" + maxGroups
                    + ", groupsInUse=" + groupsInUse + ", awaitingGrace=" + groupsAwaitingGrace);
        }
        final int capacity = (int) Math.min((long) groupCapacity * 2, maxGroups);
        final long bytes = capacity * TBL8_GROUP_BYTES;
        final Arena newArena = Arena.ofShared();
        final MemorySegment grown;
        try {
            grown = NativeMemory.allocateZeroed(newArena, bytes, bytes >= NativeMemory.HUGE_PAGE_BYTES);
            MemorySegment.copy(pool, 0, grown, 0, (long) groupCapacity * TBL8_GROUP_BYTES);
        } catch (RuntimeException | Error e) {
            newArena.close();
            throw e;
        }
        depth8 = Arrays.copyOf(depth8, capacity * TBL8_GROUP_ENTRIES);
        groupRoutes = Arrays.copyOf(groupRoutes, capacity);
        final Arena oldArena = tbl8Arena;
        pool = grown;
        tbl8Arena = newArena;
        groupCapacity = capacity;
        // Release: the copy is complete before any worker can load the new pool.
        TBL8.setRelease(this, grown);
        retiredPoolArenas.add(oldArena);
        quiescence.retire(() -> {
            if (retiredPoolArenas.remove(oldArena)) {
                oldArena.close();
            }
        });
    }

    // =============================================================================================
    // Checks
    // =============================================================================================

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("FIB is closed");
        }
    }

    private static void checkRoute(final int prefix, final int length, final int target) {
        checkPrefix(prefix, length);
        if (!FibResult.isRouteTarget(target)) {
            throw new IllegalArgumentException("not a route target: target=0x" + Integer.toHexString(target)
                    + " (" + FibResult.toString(target) + ")");
        }
    }

    static void checkPrefix(final int prefix, final int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length=" + length + " out of range 0..32");
        }
        if ((prefix & ~PrefixTable.mask(length)) != 0) {
            throw new IllegalArgumentException("host bits set in prefix=" + Ip4.toString(prefix) + "/" + length);
        }
    }

    /** A growable int array for control-side collections. */
    static final class IntList {
        int[] values = new int[16];
        int size;

        void add(final int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }
    }
}
