package io.splitplane.api.dataplane;

import io.splitplane.api.InvalidConfigException;

/**
 * Busy polling of a port's sockets (SO_BUSY_POLL with SO_PREFER_BUSY_POLL).
 *
 * <p>With SO_PREFER_BUSY_POLL the kernel leaves the netdev's NAPI to the polling application for
 * {@code gro_flush_timeout} after each busy poll (when {@code napi_defer_hard_irqs} is set on the
 * netdev); when that runs out, the NAPI goes back to softirq or its threaded-NAPI kthread, which
 * under overload takes the forwarding core away. So a port polls whenever its RX ring could not fill
 * a vector and, with a full ring too, at least every {@code holdUs}: keep it below the netdev's
 * {@code gro_flush_timeout}.
 *
 * @param timeoutUs SO_BUSY_POLL microseconds, 1..1000000
 * @param budget    SO_BUSY_POLL_BUDGET packets per poll, 0 (kernel default) ..65535
 * @param holdUs    the longest time between two busy polls of a queue, 1..1000000; default
 *                  {@value #DEFAULT_HOLD_US}
 */
public record BusyPollConfig(int timeoutUs, int budget, Integer holdUs) {
    public static final int DEFAULT_HOLD_US = 50;

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
    }
}
