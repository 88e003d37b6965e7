package io.splitplane.dataplane.port;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A port's counters: one writer (the thread driving the port) with opaque stores, any number of
 * readers with opaque loads. No locks, no allocation to count.
 */
public final class PortCounters {
    /** Packets received (handed to the graph). */
    public static final int RX_PACKETS = 0;
    /** Bytes received. */
    public static final int RX_BYTES = 1;
    /** Packets queued for sending. */
    public static final int TX_PACKETS = 2;
    /** Bytes queued for sending. */
    public static final int TX_BYTES = 3;
    /** Frames given to {@link Port#tx} that did not fit (ring full): freed, never lost silently. */
    public static final int TX_DROPPED = 4;
    /** Packets received on this port that the graph dropped (counted by the drop node). */
    public static final int DROPS = 5;
    /** Receive-side wakeup syscalls (AF_XDP: FILL ring asked, or busy polling). */
    public static final int RX_WAKEUPS = 6;
    /** Send kicks ({@code sendto}). */
    public static final int TX_KICKS = 7;
    /** Kicks or wakeups that failed for real (not EAGAIN/EBUSY/ENOBUFS). */
    public static final int KICK_ERRORS = 8;
    /** Frames put on the receive path (AF_XDP: FILL ring). */
    public static final int FILLED = 9;
    /** Sent frames taken back (AF_XDP: COMPLETION ring). */
    public static final int COMPLETED = 10;

    /** Counter names, by index: the keys of {@link #snapshot()}. */
    public static final List<String> NAMES = List.of("rx-packets", "rx-bytes", "tx-packets", "tx-bytes", "tx-dropped",
            "drops", "rx-wakeups", "tx-kicks", "kick-errors", "filled", "completed");

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Padded on both sides against false sharing with whatever the allocator puts next to it. */
    private static final int PAD = 8;

    private final long[] values = new long[PAD + NAMES.size() + PAD];

    /** Adds {@code delta} to {@code counter} (the driving thread only). */
    public void add(final int counter, final long delta) {
        final long[] v = values;
        final int i = PAD + counter;
        LONGS.setOpaque(v, i, v[i] + delta);
    }

    /** Current value of {@code counter}, from any thread. */
    public long get(final int counter) {
        Objects.checkIndex(counter, NAMES.size());
        return (long) LONGS.getOpaque(values, PAD + counter);
    }

    /** Current value by name ({@link #NAMES}). */
    public long get(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no port counter '" + name + "'; counters are " + NAMES);
        }
        return get(i);
    }

    /** Every counter by name, read now (allocates). */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.size(); i++) {
            m.put(NAMES.get(i), get(i));
        }
        return m;
    }

    @Override
    public String toString() {
        return "PortCounters" + snapshot();
    }
}
