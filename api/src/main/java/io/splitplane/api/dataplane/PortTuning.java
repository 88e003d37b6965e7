package io.splitplane.api.dataplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;

/**
 * How a port drives its AF_XDP rings; the defaults suit most netdevs, and the benchmarks in
 * dataplane-pod/README.md say when to change them.
 *
 * @param fillBatch     refill a FILL ring only with at least this many frames at once, 1..4096;
 *                      default {@value #DEFAULT_FILL_BATCH} (VPP's choice)
 * @param txBudget      copy mode: frames per TX syscall (XDP_MAX_TX_SKB_BUDGET), 0 = the kernel's 32,
 *                      else 1..4096
 * @param maxKicksPerTx copy mode: TX syscalls per transmit call at most, 1..1024; default
 *                      {@value #DEFAULT_MAX_KICKS}
 * @param needWakeup    bind with XDP_USE_NEED_WAKEUP (kick only when the kernel asks); default true
 * @param headroom      bytes reserved in front of each frame, 0..1024 (multiple of 2); default 0
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PortTuning(Integer fillBatch, Integer txBudget, Integer maxKicksPerTx, Boolean needWakeup,
                         Integer headroom) {
    public static final int DEFAULT_FILL_BATCH = 16;
    public static final int DEFAULT_MAX_KICKS = 16;

    public PortTuning {
        fillBatch = range("fillBatch", fillBatch, DEFAULT_FILL_BATCH, 1, 4096);
        txBudget = range("txBudget", txBudget, 0, 0, 4096);
        maxKicksPerTx = range("maxKicksPerTx", maxKicksPerTx, DEFAULT_MAX_KICKS, 1, 1024);
        if (needWakeup == null) {
            needWakeup = true;
        }
        headroom = range("headroom", headroom, 0, 0, 1024);
        if (headroom % 2 != 0) {
            throw InvalidConfigException.field("headroom", "must be even, was " + headroom);
        }
    }

    public static PortTuning defaults() {
        return new PortTuning(null, null, null, null, null);
    }

    private static int range(String field, Integer value, int absent, int min, int max) {
        int v = value == null ? absent : value;
        if (v < min || v > max) {
            throw InvalidConfigException.field(field, "must be " + min + "-" + max + ", was " + v);
        }
        return v;
    }
}
