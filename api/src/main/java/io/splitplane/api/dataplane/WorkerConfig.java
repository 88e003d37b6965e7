package io.splitplane.api.dataplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import java.util.HashSet;
import java.util.List;

/**
 * One worker thread: it polls and sends on its ports (each port belongs to exactly one worker, and
 * a worker forwards only between its own ports, which share its UMEM).
 *
 * @param cpus  CPUs to pin the thread to (0-1023; checked against the machine at start), or null for
 *              no pinning
 * @param ports names of the ports it runs; not empty
 * @param idle  what the thread does when a loop finds no work: {@code "backoff"} (the default: spin,
 *              yield, then park up to 1 ms) or {@code "spin"} (never leave the CPU; for a dedicated
 *              core, and for busy polling, whose NAPI ownership lapses when the poller sleeps)
 * @param vectorSize packets per vector, 1..256 (default 256)
 * @param timing     measure time per node for {@code show runtime} (default true; two clock reads per
 *                   node call)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerConfig(List<Integer> cpus, List<String> ports, String idle, Integer vectorSize, Boolean timing) {
    public static final int MAX_CPU = 1023;
    public static final String IDLE_BACKOFF = "backoff";
    public static final String IDLE_SPIN = "spin";
    public static final int MAX_VECTOR = 256;

    public WorkerConfig(List<Integer> cpus, List<String> ports) {
        this(cpus, ports, null);
    }

    public WorkerConfig(List<Integer> cpus, List<String> ports, String idle) {
        this(cpus, ports, idle, null, null);
    }

    public WorkerConfig {
        if (idle != null && !idle.equals(IDLE_BACKOFF) && !idle.equals(IDLE_SPIN)) {
            throw InvalidConfigException.field("idle", "must be \"" + IDLE_BACKOFF + "\" or \"" + IDLE_SPIN
                    + "\", was \"" + idle + "\"");
        }
        if (cpus != null) {
            if (cpus.isEmpty()) {
                throw InvalidConfigException.field("cpus", "must not be empty; leave it out for no pinning");
            }
            var seen = new HashSet<Integer>();
            for (int i = 0; i < cpus.size(); i++) {
                Integer c = cpus.get(i);
                if (c == null || c < 0 || c > MAX_CPU) {
                    throw InvalidConfigException.field("cpus[" + i + "]", "must be 0-" + MAX_CPU + ", was " + c);
                }
                if (!seen.add(c)) {
                    throw InvalidConfigException.field("cpus[" + i + "]", "CPU " + c + " is listed twice");
                }
            }
            cpus = List.copyOf(cpus);
        }
        if (ports == null || ports.isEmpty()) {
            throw InvalidConfigException.field("ports", "must name at least one port");
        }
        for (int i = 0; i < ports.size(); i++) {
            if (ports.get(i) == null || ports.get(i).isEmpty()) {
                throw InvalidConfigException.field("ports[" + i + "]", "must be a port name");
            }
        }
        ports = List.copyOf(ports);
        if (vectorSize == null) {
            vectorSize = MAX_VECTOR;
        }
        if (vectorSize < 1 || vectorSize > MAX_VECTOR) {
            throw InvalidConfigException.field("vectorSize", "must be 1-" + MAX_VECTOR + ", was " + vectorSize);
        }
        if (timing == null) {
            timing = true;
        }
    }

    /** Whether the thread busy-spins when idle. */
    public boolean spins() {
        return IDLE_SPIN.equals(idle);
    }
}
