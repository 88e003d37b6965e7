package io.splitplane.dataplane.fib;

import java.util.BitSet;

/**
 * Dense ids for next hops and groups ({@code 1..maxId}), handed out lowest first, and handed out
 * again only after a grace period.
 *
 * <p>Why the grace period: a worker may have read a FIB entry naming next hop 7 just before the
 * control thread removed route and next hop; if 7 were reused at once for a next hop to somewhere
 * else, that packet would go there. {@link #release} therefore retires the id through the
 * {@link Quiescence}, and it becomes free only when every worker has passed a quiescent point.
 *
 * <p>The netlink agent maps kernel ids (any u32) to these with a map of its own. Control thread only.
 */
public final class IdAllocator {
    private final Quiescence quiescence;
    private final int maxId;
    /** Bit i set: id i is allocated or waiting for its grace period. */
    private final BitSet taken = new BitSet();
    private int allocated;
    private int awaitingGrace;

    public IdAllocator(final Quiescence quiescence, final int maxId) {
        if (quiescence == null) {
            throw new NullPointerException("quiescence");
        }
        if (maxId < 1 || maxId > FibResult.MAX_ID) {
            throw new IllegalArgumentException("maxId=" + maxId + " out of range 1.." + FibResult.MAX_ID);
        }
        this.quiescence = quiescence;
        this.maxId = maxId;
        taken.set(0);
    }

    /**
     * The lowest free id.
     *
     * @throws IllegalStateException when all {@code maxId} ids are allocated or waiting
     */
    public int allocate() {
        quiescence.reclaim();
        final int id = taken.nextClearBit(1);
        if (id > maxId) {
            throw new IllegalStateException("ids exhausted, maxId=" + maxId + ", allocated=" + allocated
                    + ", awaitingGrace=" + awaitingGrace);
        }
        taken.set(id);
        allocated++;
        return id;
    }

    /** Gives {@code id} back; it is reused only after a grace period. */
    public void release(final int id) {
        if (id < 1 || id > maxId || !taken.get(id)) {
            throw new IllegalArgumentException("id=" + id + " is not allocated");
        }
        allocated--;
        awaitingGrace++;
        quiescence.retire(() -> {
            awaitingGrace--;
            taken.clear(id);
        });
    }

    public int allocated() {
        return allocated;
    }

    public int awaitingGrace() {
        return awaitingGrace;
    }
}
