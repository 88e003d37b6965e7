package io.splitplane.api.dataplane;

import io.splitplane.api.InvalidConfigException;

/**
 * Busy polling of a port's sockets (SO_BUSY_POLL with SO_PREFER_BUSY_POLL).
 *
 * @param timeoutUs SO_BUSY_POLL microseconds, 1..1000000
 * @param budget    SO_BUSY_POLL_BUDGET packets per poll, 0 (kernel default) ..65535
 */
public record BusyPollConfig(int timeoutUs, int budget) {
    public BusyPollConfig {
        if (timeoutUs < 1 || timeoutUs > 1_000_000) {
            throw InvalidConfigException.field("timeoutUs", "must be 1-1000000, was " + timeoutUs);
        }
        if (budget < 0 || budget > 65535) {
            throw InvalidConfigException.field("budget", "must be 0-65535, was " + budget);
        }
    }
}
