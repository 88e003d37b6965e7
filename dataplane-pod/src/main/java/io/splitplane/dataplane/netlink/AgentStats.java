package io.splitplane.dataplane.netlink;

/**
 * The agent's counters ({@code show netlink}, metrics).
 *
 * @param events          notifications applied
 * @param resyncs         full resynchronisations (the start counts as the first)
 * @param lostEvents      times the kernel reported lost notifications (ENOBUFS)
 * @param applyErrors     notifications or dumps that failed to apply (logged; the agent carries on and
 *                        resynchronises)
 * @param routes          main-table IPv4 prefixes mirrored
 * @param nexthops        kernel nexthop objects mirrored
 * @param lastResyncNanos how long the last resynchronisation (dump and apply) took
 * @param dumpRestarts    dumps the kernel marked inconsistent (changed while being read) and that were read again
 */
public record AgentStats(long events, long resyncs, long lostEvents, long applyErrors, int routes, int nexthops,
                         long lastResyncNanos, long dumpRestarts) {
}
