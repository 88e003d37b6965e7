package io.splitplane.dataplane.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * Quiescent-state-based reclamation (QSBR) between one control thread and the worker threads that
 * read the forwarding tables without locks.
 *
 * <p>The control thread unlinks a piece of shared memory (a tbl8 group, an old tbl8 pool, a next-hop
 * id) and {@link #retire retires} it with the action that frees it. A worker calls
 * {@link Reader#quiescent()} once per loop iteration, at a point where it holds no pointer into the
 * tables (between vectors). The action runs in {@link #reclaim()} once every online worker has passed
 * such a point after the retirement, so no worker can still be reading what it frees.
 *
 * <h2>Protocol</h2>
 * A global {@code epoch} counts retirements. Each reader owns a padded slot holding the epoch it saw at
 * its last quiescent point, {@link #OFFLINE} while it reads nothing, or {@link #FREE}.
 * <pre>
 * control thread                                   worker (per loop iteration)
 *   unlink: tbl24[i] = v          (setRelease)       ... lookups: tbl24[i] (getAcquire) ...
 *   E = ++epoch                   (getAndAdd, volatile) quiescent():
 *   later, reclaim(): min over slots (getAcquire)      e = epoch         (getAcquire)
 *     run actions with E &lt;= min                          slot = e          (setRelease)
 * </pre>
 * Why it is safe: a slot holds {@code e >= E} only if the worker's acquire read of {@code epoch}
 * saw the increment, which the writer made after the unlink; so everything the worker reads after
 * that quiescent point sees the unlink (release/acquire through {@code epoch}). Everything it read
 * before the point is ordered before its release store of the slot, which the control thread's
 * acquire read observed before running the action. A worker that was offline stores its epoch with a
 * volatile write followed by a full fence before it reads again ({@link Reader#online()}), and the
 * writer's increment is a volatile read-modify-write: of the two store-then-load sequences at least
 * one sees the other (Dekker), so the writer either sees the worker's slot or the worker sees the unlink.
 *
 * <p>Cost on the worker: one acquire load of a rarely written line and one release store to its own
 * line per iteration; on x86 both are plain {@code mov}s.
 *
 * <p>Threading: {@link #register()} and the {@link Reader} methods may be called from any thread (a
 * reader from its own thread only); {@link #retire}, {@link #reclaim} and {@link #awaitQuiescence}
 * from the single control thread.
 */
public final class Quiescence {
    /** Slot value of an unregistered slot. */
    public static final long FREE = -1L;
    /** Slot value of a registered reader that currently holds no table pointer. */
    public static final long OFFLINE = Long.MAX_VALUE;

    /** Longs per slot: 128 bytes, so two readers never share a line (nor an adjacent-line prefetch pair). */
    private static final int SLOT_STRIDE = 16;

    /**
     * Where the global epoch lives in {@link #slots}: inside the first 128-byte stride, which no
     * reader slot uses, so it shares no line with a reader's slot. (An array, not a field, because the
     * JVM may reorder fields and defeat field padding.)
     */
    private static final int EPOCH_INDEX = SLOT_STRIDE / 2;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    /**
     * Layout of {@code slots}, in longs (1 stride = 16 longs = 128 bytes):
     * <pre>
     * [0..15]  padding, epoch at [8]
     * [16]     reader 0's slot, then padding to the next stride
     * [32]     reader 1's slot ...
     * [(maxReaders+1)*16 .. +15] trailing padding
     * </pre>
     */
    private final long[] slots;
    private final int maxReaders;
    /** Control-thread only: retired actions in epoch order. */
    private final ArrayDeque<Retired> retired = new ArrayDeque<>();
    private long reclaimedCount;

    private record Retired(long epoch, Runnable action) {
    }

    /** @param maxReaders how many worker threads can be registered at once */
    public Quiescence(final int maxReaders) {
        if (maxReaders < 1 || maxReaders > 4096) {
            throw new IllegalArgumentException("maxReaders=" + maxReaders + " out of range 1..4096");
        }
        this.maxReaders = maxReaders;
        this.slots = new long[(maxReaders + 2) * SLOT_STRIDE];
        for (int i = 0; i < maxReaders; i++) {
            slots[slotIndex(i)] = FREE;
        }
        VarHandle.releaseFence();
    }

    private static int slotIndex(final int reader) {
        return (reader + 1) * SLOT_STRIDE;
    }

    /**
     * Registers the calling worker as a reader, online from now on. Call once per worker thread
     * before its first table read.
     *
     * @throws IllegalStateException when {@code maxReaders} readers are registered
     */
    public Reader register() {
        for (int i = 0; i < maxReaders; i++) {
            final int index = slotIndex(i);
            // Volatile CAS: a full fence between the slot store and the worker's first table read.
            if (SLOT.compareAndSet(slots, index, FREE, (long) SLOT.getVolatile(slots, EPOCH_INDEX))) {
                VarHandle.fullFence();
                return new Reader(index);
            }
        }
        throw new IllegalStateException("all reader slots in use, maxReaders=" + maxReaders);
    }

    /**
     * Control thread: schedules {@code action} to run once every reader online now has passed a
     * quiescent point. Call it after the store that unlinks what the action frees.
     */
    public void retire(final Runnable action) {
        // Volatile RMW: orders the caller's unlinking stores before the new epoch is visible, and acts
        // as the writer's full fence for readers coming online.
        final long e = (long) SLOT.getAndAdd(slots, EPOCH_INDEX, 1L) + 1L;
        retired.addLast(new Retired(e, action));
    }

    /** Control thread: runs the actions whose grace period has ended; returns how many ran. */
    public int reclaim() {
        if (retired.isEmpty()) {
            return 0;
        }
        final long safe = minimumReaderEpoch();
        int ran = 0;
        while (!retired.isEmpty() && retired.peekFirst().epoch() <= safe) {
            retired.pollFirst().action().run();
            ran++;
        }
        reclaimedCount += ran;
        return ran;
    }

    /**
     * Control thread: waits (spinning, then parking for 50 µs at a time) until every retired action
     * has run, or until {@code timeoutNs} passes. Returns whether nothing is left pending.
     */
    public boolean awaitQuiescence(final long timeoutNs) {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        int spins = 0;
        while (true) {
            reclaim();
            if (retired.isEmpty()) {
                return true;
            }
            if (System.nanoTime() - deadlineNs >= 0) {
                return false;
            }
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000L);
            }
        }
    }

    /** Control thread: actions retired and not yet run. */
    public int pending() {
        return retired.size();
    }

    /** Control thread: actions run so far. */
    public long reclaimed() {
        return reclaimedCount;
    }

    /** The current global epoch (number of retirements so far). */
    public long epoch() {
        return (long) SLOT.getAcquire(slots, EPOCH_INDEX);
    }

    /** Registered readers, online or offline. */
    public int readers() {
        int n = 0;
        for (int i = 0; i < maxReaders; i++) {
            if ((long) SLOT.getAcquire(slots, slotIndex(i)) != FREE) {
                n++;
            }
        }
        return n;
    }

    private long minimumReaderEpoch() {
        VarHandle.fullFence();
        long min = Long.MAX_VALUE;
        for (int i = 0; i < maxReaders; i++) {
            final long e = (long) SLOT.getAcquire(slots, slotIndex(i));
            if (e >= 0 && e < min) {
                min = e;
            }
        }
        return min;
    }

    /**
     * One worker's handle. Its methods are for the worker's own thread, and only {@link #quiescent()}
     * belongs in the loop.
     */
    public final class Reader implements AutoCloseable {
        private final int index;
        private boolean closed;

        private Reader(final int index) {
            this.index = index;
        }

        /**
         * Declares that this worker holds no pointer into the tables (call between vectors, once per
         * loop iteration). One acquire load and one release store; never blocks, never allocates.
         */
        public void quiescent() {
            SLOT.setRelease(slots, index, (long) SLOT.getAcquire(slots, EPOCH_INDEX));
        }

        /**
         * Declares that this worker will not read the tables until {@link #online()}: call before
         * parking or blocking so that reclamation does not wait for it.
         */
        public void offline() {
            SLOT.setRelease(slots, index, OFFLINE);
        }

        /** Undoes {@link #offline()}; call before the next table read. */
        public void online() {
            SLOT.setVolatile(slots, index, (long) SLOT.getVolatile(slots, EPOCH_INDEX));
            VarHandle.fullFence();
        }

        /** The epoch this reader last published ({@link #OFFLINE} when offline). */
        public long publishedEpoch() {
            return (long) SLOT.getAcquire(slots, index);
        }

        /** Unregisters; the slot becomes free for another worker. Idempotent. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                SLOT.setRelease(slots, index, FREE);
            }
        }
    }
}
