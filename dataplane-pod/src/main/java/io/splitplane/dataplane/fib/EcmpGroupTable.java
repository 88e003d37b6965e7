package io.splitplane.dataplane.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ECMP groups: a group id names a set of next hops with weights; a packet's {@link FlowHash} picks
 * one, the same one for every packet of the flow.
 *
 * <h2>Buckets</h2>
 * Each group is an immutable {@code int[]} of {@code B} buckets ({@code B} a power of two), each
 * holding a member's next-hop id; {@code select} is {@code buckets[hash & (B - 1)]}. A member gets a
 * number of buckets proportional to its weight (largest-remainder rounding, at least one each), so
 * flows spread by weight to within {@code 1/B} per member. {@code B} is at least 256 and at least 32
 * per member, up to 65536: with 3 equal members that is 86/85/85 buckets, 1:3 weights give exactly
 * 64/192.
 *
 * <h2>What a replace guarantees (resilient hashing, as Linux's {@code nexthop} res groups)</h2>
 * A replace keeps the bucket count (doubling it, by duplicating the table, if more members need more
 * buckets: {@code hash & (2B-1)} then still lands on a copy of the old bucket) and keeps every bucket
 * whose member stays, up to that member's new share; only the other buckets get a new member. So:
 * <ul>
 * <li>same members, same weights: no flow moves;</li>
 * <li>a member removed: only its flows move, spread over the others;</li>
 * <li>a member added: only the flows of the buckets it takes move (about {@code 1/(n+1)} of all);</li>
 * <li>weights changed: only the flows of buckets that change hands move.</li>
 * </ul>
 * A {@link #remove} and later re-add of the same id starts from scratch (flows may move).
 *
 * <h2>Publication</h2>
 * A replace builds a new array and publishes it with one release store into the slot of the group;
 * a worker loads the slot with acquire and then reads one bucket. It sees the old or the new table,
 * complete either way; the old array is never written again and the garbage collector frees it once
 * no worker holds it, so no grace period is needed.
 *
 * <p>Threads: {@link #select} from any thread; the rest from the control thread.
 */
public final class EcmpGroupTable {
    public static final int DEFAULT_MAX_ID = 1 << 20;
    public static final int MIN_BUCKETS = 256;
    public static final int BUCKETS_PER_MEMBER = 32;
    public static final int MAX_BUCKETS = 1 << 16;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(int[][].class);
    private static final VarHandle GROUPS;

    static {
        try {
            GROUPS = MethodHandles.lookup().findVarHandle(EcmpGroupTable.class, "groups", int[][].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bucket tables by group id; read by workers with {@code getAcquire}. */
    private int[][] groups;

    // ---- control only ----
    private Member[][] members;
    private final int maxId;
    private int count;

    /**
     * A group member.
     *
     * @param nextHopId the member's next-hop id
     * @param weight    1 .. 65536 (Linux nexthop group weights)
     */
    public record Member(int nextHopId, int weight) {
        public static final int MAX_WEIGHT = 65536;

        public Member {
            if (nextHopId < 1 || nextHopId > FibResult.MAX_ID) {
                throw new IllegalArgumentException("member nextHopId=" + nextHopId + " out of range 1.." + FibResult.MAX_ID);
            }
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("member weight=" + weight + " out of range 1.." + MAX_WEIGHT);
            }
        }

        public static Member of(final int nextHopId, final int weight) {
            return new Member(nextHopId, weight);
        }

        public static Member of(final int nextHopId) {
            return new Member(nextHopId, 1);
        }
    }

    public EcmpGroupTable() {
        this(DEFAULT_MAX_ID);
    }

    /** @param maxId largest group id accepted */
    public EcmpGroupTable(final int maxId) {
        if (maxId < 1 || maxId > FibResult.MAX_ID) {
            throw new IllegalArgumentException("maxId=" + maxId + " out of range 1.." + FibResult.MAX_ID);
        }
        this.maxId = maxId;
        this.members = new Member[16][];
        GROUPS.setRelease(this, new int[16][]);
    }

    // =============================================================================================
    // Hot path
    // =============================================================================================

    /**
     * The next-hop id group {@code id} gives the flow with {@code flowHash}, or 0 when there is no
     * such group. Two loads (slot, bucket); never throws, never allocates.
     */
    public int select(final int id, final int flowHash) {
        final int[][] g = (int[][]) GROUPS.getAcquire(this);
        if (Integer.compareUnsigned(id, g.length) >= 0) {
            return 0;
        }
        final int[] buckets = (int[]) SLOT.getAcquire(g, id);
        if (buckets == null) {
            return 0;
        }
        return buckets[flowHash & (buckets.length - 1)];
    }

    // =============================================================================================
    // Control
    // =============================================================================================

    /** Adds group {@code id}; returns false, changing nothing, when the id is in use. */
    public boolean add(final int id, final Member... groupMembers) {
        checkId(id);
        if (id < members.length && members[id] != null) {
            return false;
        }
        replace(id, groupMembers);
        return true;
    }

    /**
     * Adds or replaces group {@code id} with {@code groupMembers} (distinct next-hop ids), keeping
     * flows on their member where it stays (see the class comment).
     */
    public void replace(final int id, final Member... groupMembers) {
        checkId(id);
        final Member[] m = checkMembers(groupMembers);
        ensureCapacity(id);
        final int[] old = groups[id];
        final int[] buckets = old == null ? assign(new int[bucketsFor(m.length)], m, false)
                : assign(resize(old, bucketsFor(m.length)), m, true);
        if (members[id] == null) {
            count++;
        }
        members[id] = m;
        SLOT.setRelease(groups, id, buckets);
    }

    /** Removes group {@code id}; returns whether it existed. Routes naming it then forward nowhere (0). */
    public boolean remove(final int id) {
        checkId(id);
        if (id >= members.length || members[id] == null) {
            return false;
        }
        members[id] = null;
        count--;
        SLOT.setRelease(groups, id, null);
        return true;
    }

    /** The members of group {@code id}. */
    public Optional<Member[]> members(final int id) {
        checkId(id);
        return id < members.length && members[id] != null ? Optional.of(members[id].clone()) : Optional.empty();
    }

    /** A copy of group {@code id}'s bucket table (for show commands and tests). */
    public Optional<int[]> buckets(final int id) {
        checkId(id);
        return id < groups.length && groups[id] != null ? Optional.of(groups[id].clone()) : Optional.empty();
    }

    public int size() {
        return count;
    }

    // =============================================================================================
    // Bucket assignment
    // =============================================================================================

    static int bucketsFor(final int memberCount) {
        final long wanted = Math.max(MIN_BUCKETS, (long) memberCount * BUCKETS_PER_MEMBER);
        return (int) Math.min(MAX_BUCKETS, Long.highestOneBit(wanted - 1) << 1);
    }

    /** The old table, doubled (by repetition, which keeps every hash on its member) up to {@code wanted} buckets. */
    private static int[] resize(final int[] old, final int wanted) {
        int[] b = old.clone();
        while (b.length < wanted) {
            final int[] doubled = Arrays.copyOf(b, b.length * 2);
            System.arraycopy(b, 0, doubled, b.length, b.length);
            b = doubled;
        }
        return b;
    }

    /**
     * Fills {@code buckets} for {@code m}: quotas by weight, then (when {@code keep}) each bucket keeps
     * its member while the member is under quota, then the free buckets go to members under quota.
     */
    private static int[] assign(final int[] buckets, final Member[] m, final boolean keep) {
        final int n = m.length;
        final int total = buckets.length;
        final int[] quota = quotas(m, total);
        final int[] used = new int[n];
        final int[] free = new int[total];
        final Map<Integer, Integer> index = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            index.put(m[i].nextHopId(), i);
        }
        int freeCount = 0;
        for (int b = 0; b < total; b++) {
            final int member = keep ? index.getOrDefault(buckets[b], -1) : -1;
            if (member >= 0 && used[member] < quota[member]) {
                used[member]++;
            } else {
                free[freeCount++] = b;
            }
        }
        // Hand out the free buckets round-robin over the members still under quota, so that a fresh
        // table interleaves members instead of laying them out in runs (it makes no difference to the
        // spread, the hash is uniform, but tables are easier to read).
        int f = 0;
        while (f < freeCount) {
            for (int i = 0; i < n && f < freeCount; i++) {
                if (used[i] < quota[i]) {
                    buckets[free[f++]] = m[i].nextHopId();
                    used[i]++;
                }
            }
        }
        return buckets;
    }

    /** Largest-remainder apportionment of {@code total} buckets by weight, at least one each. */
    static int[] quotas(final Member[] m, final int total) {
        final int n = m.length;
        long weightSum = 0;
        for (final Member member : m) {
            weightSum += member.weight();
        }
        final int[] quota = new int[n];
        final long[] remainder = new long[n];
        int assigned = 0;
        for (int i = 0; i < n; i++) {
            final long scaled = (long) m[i].weight() * total;
            quota[i] = (int) (scaled / weightSum);
            remainder[i] = scaled % weightSum;
            assigned += quota[i];
        }
        while (assigned < total) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (remainder[i] > remainder[best]) {
                    best = i;
                }
            }
            quota[best]++;
            remainder[best] = -1;
            assigned++;
        }
        // Every member reachable: take from the largest quotas for members that rounded to zero.
        for (int i = 0; i < n; i++) {
            if (quota[i] == 0) {
                int largest = 0;
                for (int j = 1; j < n; j++) {
                    if (quota[j] > quota[largest]) {
                        largest = j;
                    }
                }
                quota[largest]--;
                quota[i] = 1;
            }
        }
        return quota;
    }

    private static Member[] checkMembers(final Member[] groupMembers) {
        if (groupMembers == null || groupMembers.length == 0) {
            throw new IllegalArgumentException("a group needs at least one member");
        }
        if (groupMembers.length > MAX_BUCKETS) {
            throw new IllegalArgumentException("group has members=" + groupMembers.length + ", at most " + MAX_BUCKETS);
        }
        final Member[] m = groupMembers.clone();
        final Set<Integer> seen = new HashSet<>(m.length * 2);
        for (int i = 0; i < m.length; i++) {
            if (m[i] == null) {
                throw new IllegalArgumentException("member " + i + " is null");
            }
            if (!seen.add(m[i].nextHopId())) {
                throw new IllegalArgumentException("next hop " + m[i].nextHopId() + " listed twice in a group");
            }
        }
        return m;
    }

    private void ensureCapacity(final int id) {
        if (id < members.length) {
            return;
        }
        final int capacity = (int) Math.min(Math.max((long) members.length * 2, id + 1L), maxId + 1L);
        members = Arrays.copyOf(members, capacity);
        GROUPS.setRelease(this, Arrays.copyOf(groups, capacity));
    }

    private void checkId(final int id) {
        if (id < 1 || id > maxId) {
            throw new IllegalArgumentException("group id=" + id + " out of range 1.." + maxId);
        }
    }
}
