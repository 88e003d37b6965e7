package io.splitplane.deviceplugin.spares;

import io.splitplane.bpf.ClassifierSpares;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps classifiers loaded ahead of time ({@link ClassifierSpares}) for the CNI's ADD: as many spares
 * as there are pool netdevs on the node now (a netdev handed to a pod leaves the node's namespace,
 * and its ADD took a spare; one that comes home needs one again). The kernel's verifier runs here,
 * on a thread of its own, never on the kubelet's or the discovery's threads.
 *
 * <p>The thread wakes when the wanted count changes and every {@link #RECHECK} (ADD takes spares
 * without telling anyone), sweeps spares of other classifier objects away, loads one spare at a time
 * until there are enough, and removes extras only when they stayed extra for two checks in a row (an
 * ADD may be about to claim one for a netdev that just left). A failed load is logged and retried
 * after {@link #RETRY}. {@link #close()} stops the thread and removes every spare.
 */
public final class SpareKeeper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SpareKeeper.class.getName());
    /** How often the count is checked without a change of the wanted count. */
    public static final Duration RECHECK = Duration.ofSeconds(1);
    /** The pause after a load failed (no bpffs, no privilege, a verifier refusal). */
    public static final Duration RETRY = Duration.ofSeconds(30);

    private final ClassifierSpares spares;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    /** Guarded by lock. */
    private int wanted;
    private boolean wake;
    private boolean closed;
    /** Only the keeper thread. */
    private boolean extraLastTime;
    private volatile int prepared;
    private volatile String lastError;

    private SpareKeeper(ClassifierSpares spares) {
        this.spares = spares;
        this.thread = Thread.ofPlatform().name("classifier-spares").daemon(true).unstarted(this::run);
    }

    /** Starts keeping spares for {@code spares}' object, none wanted yet; sweeps other objects' first. */
    public static SpareKeeper start(ClassifierSpares spares) {
        SpareKeeper keeper = new SpareKeeper(Objects.requireNonNull(spares, "spares"));
        keeper.thread.start();
        return keeper;
    }

    /** Sets how many spares to keep (the pool netdevs now on the node) and wakes the thread. */
    public void want(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, count=" + count);
        }
        lock.lock();
        try {
            if (count != wanted) {
                wanted = count;
                wake = true;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many spares are wanted now. */
    public int wanted() {
        lock.lock();
        try {
            return wanted;
        } finally {
            lock.unlock();
        }
    }

    /** How many spares this keeper has loaded since it started. */
    public int prepared() {
        return prepared;
    }

    /** The last load failure, or null. */
    public String lastError() {
        return lastError;
    }

    /** Where the spares are. */
    public ClassifierSpares spares() {
        return spares;
    }

    private void run() {
        try {
            sweep();
            while (true) {
                int target;
                lock.lock();
                try {
                    if (closed) {
                        return;
                    }
                    target = wanted;
                } finally {
                    lock.unlock();
                }
                Duration pause = step(target) ? Duration.ZERO : RECHECK;
                if (lastError != null) {
                    pause = RETRY;
                }
                if (!pause.isZero() && !await(pause)) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "event=spares_stopped error=\"" + e + "\"", e);
        }
    }

    /** One check: returns true when it loaded a spare (and should look again at once). */
    private boolean step(int target) {
        try {
            int count = spares.count();
            if (count < target) {
                extraLastTime = false;
                long start = System.nanoTime();
                spares.prepare();
                prepared++;
                lastError = null;
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                LOG.log(Level.INFO, () -> "event=spare_prepared spares=" + (count + 1) + " wanted=" + target
                        + " load_ms=" + ms);
                return true;
            }
            if (count > target) {
                if (extraLastTime) {
                    int removed = spares.trim(target);
                    LOG.log(Level.INFO, () -> "event=spares_trimmed removed=" + removed + " wanted=" + target);
                    extraLastTime = false;
                } else {
                    extraLastTime = true;
                }
            } else {
                extraLastTime = false;
            }
            spares.sweep();
            lastError = null;
            return false;
        } catch (RuntimeException e) {
            String message = e.getMessage();
            if (!Objects.equals(message, lastError)) {
                LOG.log(Level.WARNING, "event=spare_failed error=\"" + message + "\" retry_in_s=" + RETRY.toSeconds());
            }
            lastError = message == null ? e.toString() : message;
            return false;
        }
    }

    private void sweep() {
        try {
            int removed = spares.sweep();
            if (removed > 0) {
                LOG.log(Level.INFO, () -> "event=spares_swept removed=" + removed);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event=spares_sweep_failed error=\"" + e.getMessage() + "\"");
        }
    }

    /** Waits for a change of the wanted count, or {@code pause}; false when closed. */
    private boolean await(Duration pause) {
        lock.lock();
        try {
            long left = pause.toNanos();
            while (!wake && !closed && left > 0) {
                left = changed.awaitNanos(left);
            }
            wake = false;
            return !closed;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the thread (after a load in progress) and removes every spare under the root. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            int removed = spares.removeAll();
            LOG.log(Level.INFO, () -> "event=spares_removed removed=" + removed);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event=spares_remove_failed error=\"" + e.getMessage() + "\"");
        }
    }
}
