package io.splitplane.dataplane.netlink;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import org.agrona.collections.Long2LongHashMap;

/**
 * The kernel's IPv4 main-table routes as the agent knows them, compact enough for a full Internet
 * table: one primitive map entry per prefix (about 25 bytes at a million routes) instead of one
 * {@code Route} object graph (hundreds of bytes).
 *
 * <p>A route is stored under its key {@code (prefix, length)} as one {@code long}: the metric in the
 * high 32 bits and a <em>ref</em> in the low 32 bits. A ref is either a ready {@code FibResult} target
 * (bit 31 clear) or, with {@link #NEXTHOP_REF} set, the id of a kernel nexthop object that is resolved
 * when the route is installed (so replacing the object moves every route using it).
 *
 * <p>The kernel keeps several routes for one prefix when their metrics differ and forwards by the
 * lowest; so does this set: the primary map holds the best entry of each key, and keys with more
 * than one metric (rare) also keep all of them in {@code alternatives}. The TOS part of the kernel's
 * key is not kept: the agent ignores TOS routes.
 *
 * <p>Agent thread only.
 */
final class KernelRouteSet {
    /** Set in a ref: the low 31 bits are a kernel nexthop id. */
    static final int NEXTHOP_REF = 0x8000_0000;
    static final long NONE = Long.MIN_VALUE;

    private final Long2LongHashMap best = new Long2LongHashMap(1024, 0.65f, NONE);
    private final Map<Long, long[]> alternatives = new HashMap<>();

    static long key(final int prefix, final int length) {
        return ((prefix & 0xFFFF_FFFFL) << 8) | length;
    }

    static int prefixOf(final long key) {
        return (int) (key >>> 8);
    }

    static int lengthOf(final long key) {
        return (int) (key & 0xFF);
    }

    static long entry(final int metric, final int ref) {
        return ((long) metric << 32) | (ref & 0xFFFF_FFFFL);
    }

    static int metricOf(final long entry) {
        return (int) (entry >>> 32);
    }

    static int refOf(final long entry) {
        return (int) entry;
    }

    /** The entry with the lowest metric for {@code key}, or {@link #NONE}. */
    long best(final long key) {
        return best.get(key);
    }

    /** Adds or replaces the route of {@code key} with {@code metric}. */
    void put(final long key, final int metric, final int ref) {
        final long e = entry(metric, ref);
        final long[] alts = alternatives.get(key);
        if (alts != null) {
            long[] updated = null;
            for (int i = 0; i < alts.length; i++) {
                if (metricOf(alts[i]) == metric) {
                    alts[i] = e;
                    updated = alts;
                    break;
                }
            }
            if (updated == null) {
                updated = Arrays.copyOf(alts, alts.length + 1);
                updated[alts.length] = e;
                alternatives.put(key, updated);
            }
            best.put(key, lowest(updated));
            return;
        }
        final long current = best.get(key);
        if (current == NONE || metricOf(current) == metric) {
            best.put(key, e);
            return;
        }
        final long[] both = {current, e};
        alternatives.put(key, both);
        best.put(key, lowest(both));
    }

    /** Removes the route of {@code key} with {@code metric}; returns whether there was one. */
    boolean remove(final long key, final int metric) {
        return removeIf(key, entry -> metricOf(entry) == metric);
    }

    /** Removes every route of {@code key} whose ref is {@code ref}; returns whether any was removed. */
    boolean removeRef(final long key, final int ref) {
        return removeIf(key, entry -> refOf(entry) == ref);
    }

    private interface EntryTest {
        boolean test(long entry);
    }

    private boolean removeIf(final long key, final EntryTest test) {
        final long[] alts = alternatives.get(key);
        if (alts == null) {
            final long current = best.get(key);
            if (current != NONE && test.test(current)) {
                best.remove(key);
                return true;
            }
            return false;
        }
        final long[] kept = Arrays.stream(alts).filter(e -> !test.test(e)).toArray();
        if (kept.length == alts.length) {
            return false;
        }
        if (kept.length == 0) {
            alternatives.remove(key);
            best.remove(key);
        } else if (kept.length == 1) {
            alternatives.remove(key);
            best.put(key, kept[0]);
        } else {
            alternatives.put(key, kept);
            best.put(key, lowest(kept));
        }
        return true;
    }

    /** Lowest metric (unsigned, as the kernel compares priorities). */
    private static long lowest(final long[] entries) {
        long b = entries[0];
        for (int i = 1; i < entries.length; i++) {
            if (Integer.compareUnsigned(metricOf(entries[i]), metricOf(b)) < 0) {
                b = entries[i];
            }
        }
        return b;
    }

    /** Calls {@code action} with every key. */
    void forEachKey(final LongConsumer action) {
        final Long2LongHashMap.KeyIterator it = best.keySet().iterator();
        while (it.hasNext()) {
            action.accept(it.nextValue());
        }
    }

    boolean containsKey(final long key) {
        return best.containsKey(key);
    }

    /** Prefixes with at least one route. */
    int size() {
        return best.size();
    }
}
