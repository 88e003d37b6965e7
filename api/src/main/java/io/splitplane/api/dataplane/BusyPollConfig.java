package io.splitplane.api.dataplane;

import io.splitplane.api.InvalidConfigException;

/**
 * Busy polling of a port's sockets (SO_BUSY_POLL with SO_PREFER_BUSY_POLL), and the interrupt
 * deferral of the netdev's NAPIs that makes it hold.
 *
 * <p>With SO_PREFER_BUSY_POLL the kernel leaves a NAPI to the polling application for
 * {@code gro_flush_timeout} after each busy poll, provided {@code napi_defer_hard_irqs} is set on
 * it; when that runs out, the NAPI goes back to softirq or its threaded-NAPI kthread, which under
 * overload takes the forwarding core away. So the dataplane sets both on every NAPI of the port's
 * netdev (and restores them when it stops), and the port polls whenever its RX ring could not fill a
 * vector and, with a full ring too, at least every {@code holdUs}, which must stay below
 * {@code groFlushTimeoutUs}.
 *
 * @param timeoutUs         SO_BUSY_POLL microseconds, 1..1000000
 * @param budget            SO_BUSY_POLL_BUDGET packets per poll, 0 (kernel default) ..65535
 * @param holdUs            the longest time between two busy polls of a queue; default
 *                          {@value #DEFAULT_HOLD_US}
 * @param deferHardIrqs     napi_defer_hard_irqs for the netdev's NAPIs, 1..1000; default
 *                          {@value #DEFAULT_DEFER_HARD_IRQS}
 * @param groFlushTimeoutUs gro_flush_timeout for the netdev's NAPIs, above holdUs, at most 1000000;
 *                          default {@value #DEFAULT_GRO_FLUSH_TIMEOUT_US}
 * @param threadedNapi      leave the NAPIs in threaded mode if the host put them there; default false:
 *                          the dataplane moves them to softirq while it runs. A threaded-NAPI kthread
 *                          that always has work (overload) never completes its poll, so a preferring
 *                          busy poller never gets the NAPI, and at a real-time priority it starves
 *                          the worker on the same core; in softirq the busy poller does the receive
 *                          work itself, in its own time slice
 */
public record BusyPollConfig(int timeoutUs, int budget, Integer holdUs, Integer deferHardIrqs,
                             Integer groFlushTimeoutUs, Boolean threadedNapi) {
    public static final int DEFAULT_HOLD_US = 50;
    public static final int DEFAULT_DEFER_HARD_IRQS = 2;
    public static final int DEFAULT_GRO_FLUSH_TIMEOUT_US = 200;

    public BusyPollConfig {
        if (timeoutUs < 1 || timeoutUs > 1_000_000) {
            throw InvalidConfigException.field("timeoutUs", "must be 1-1000000, was " + timeoutUs);
        }
        if (budget < 0 || budget > 65535) {
            throw InvalidConfigException.field("budget", "must be 0-65535, was " + budget);
        }
        if (holdUs == null) {
            holdUs = DEFAULT_HOLD_US;
        }
        if (holdUs < 1 || holdUs > 1_000_000) {
            throw InvalidConfigException.field("holdUs", "must be 1-1000000, was " + holdUs);
        }
        if (deferHardIrqs == null) {
            deferHardIrqs = DEFAULT_DEFER_HARD_IRQS;
        }
        if (deferHardIrqs < 1 || deferHardIrqs > 1000) {
            throw InvalidConfigException.field("deferHardIrqs", "must be 1-1000, was " + deferHardIrqs
                    + " (without deferral the kernel never leaves the NAPI to the busy poller)");
        }
        if (groFlushTimeoutUs == null) {
            groFlushTimeoutUs = Math.max(DEFAULT_GRO_FLUSH_TIMEOUT_US, 2 * holdUs);
        }
        if (groFlushTimeoutUs <= holdUs || groFlushTimeoutUs > 1_000_000) {
            throw InvalidConfigException.field("groFlushTimeoutUs", "must be above holdUs (" + holdUs
                    + ") and at most 1000000, was " + groFlushTimeoutUs
                    + ": the port must poll again before the kernel takes the NAPI back");
        }
        if (threadedNapi == null) {
            threadedNapi = false;
        }
    }

    /** Timeout and budget, the rest defaults. */
    public static BusyPollConfig of(int timeoutUs, int budget) {
        return new BusyPollConfig(timeoutUs, budget, null, null, null, null);
    }
}
