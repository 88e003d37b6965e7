package io.splitplane.dataplane.channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one channel shares with one graph worker: four SPSC rings of frames and the worker's counters.
 *
 * <pre>
 *   rx       worker -&gt; app   received datagrams: (payload address, port &lt;&lt; 32 | payload length)
 *   release  app -&gt; worker   frames the app is done with: (frame address, port)
 *   spare    worker -&gt; app   free frames to send from: (frame data address, port)
 *   tx       app -&gt; worker   frames to send, headers built: (frame data address, port &lt;&lt; 32 | frame length)
 * </pre>
 *
 * <b>Frame ownership.</b> A frame in any of these rings, or between taking it from one and putting it
 * in another, belongs to the graph as far as the port's accounting is concerned (it left the pool
 * through receive or {@code allocate}); only the worker frees it to its port or hands it to a port
 * for sending. {@code release} holds as many entries as {@code rx} and {@code spare} together, so the
 * app can always give back what it was given and never has to wait or drop a frame.
 *
 * <p>Counters are single-writer: the {@code W_*} slots by the worker, the {@code A_*} slots by the
 * application thread; opaque stores, opaque loads from any reader.
 */
final class ChannelSide {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    static final int W_RX_PACKETS = 0;
    static final int W_RX_BYTES = 1;
    static final int W_RX_DROPPED = 2;
    static final int W_TX_PACKETS = 3;
    static final int W_TX_BYTES = 4;
    static final int W_TX_DROPPED = 5;
    static final int A_NO_SPARE = 6;
    private static final int COUNTERS = 7;

    final SpscPairRing rx;
    final SpscPairRing release;
    final SpscPairRing spare;
    final SpscPairRing tx;
    /** Set (release) by the worker once it has taken back every frame of a closing channel. */
    private volatile boolean released;
    // Padded apart: worker and app write different slots.
    private final long[] counters = new long[COUNTERS * 8];

    ChannelSide(int ringSize, int spareCount) {
        rx = new SpscPairRing(ringSize);
        spare = new SpscPairRing(spareCount);
        release = new SpscPairRing(Integer.highestOneBit(ringSize + spareCount - 1) << 1);
        tx = new SpscPairRing(ringSize);
    }

    void add(final int counter, final long n) {
        final int i = counter * 8;
        LONGS.setOpaque(counters, i, (long) LONGS.getOpaque(counters, i) + n);
    }

    long get(final int counter) {
        return (long) LONGS.getOpaque(counters, counter * 8);
    }

    boolean isReleased() {
        return released;
    }

    void markReleased() {
        released = true;
    }
}
