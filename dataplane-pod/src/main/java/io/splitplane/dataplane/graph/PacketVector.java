package io.splitplane.dataplane.graph;

import java.util.Arrays;

/**
 * Up to {@link #CAPACITY} packets as parallel primitive arrays: the unit that moves between nodes.
 * There is no object per packet: packet {@code i} of a vector is the set of slots {@code i} of
 * these arrays, and the packet's bytes stay in the graph's packet memory (the UMEM).
 *
 * <pre>
 *   slot i:  addr[i]   long  address of the packet's first byte in the packet memory (a UMEM
 *                            address; the frame is the chunk holding it). A node that strips or
 *                            prepends a header moves it (and len) within the chunk.
 *            len[i]    int   bytes from addr[i]
 *            port[i]   int   graph index of the port the frame came from: it owns the frame, and
 *                            the drop node gives the frame back to it
 *            meta0[i]  int   free for nodes; convention: next-hop / adjacency index (ip4-lookup
 *                            writes it, ip4-rewrite reads it)
 *            meta1[i]  int   free for nodes; convention: flow hash
 * </pre>
 *
 * Ports zero {@code meta0}/{@code meta1} on receive; after that a word holds what the last node
 * to write it put there. The engine moves all five words together.
 *
 * <p>Vectors are preallocated by the {@link Graph} and recycled; nodes never create them. A vector
 * is handed to exactly one node at a time; a node may read and write the slots {@code 0..count-1}
 * of the vector it is given, and must not keep a reference to it after {@code process} returns
 * (the engine may pass the same object on to the next node: CNDP's "home run").
 *
 * <p>The arrays are public final fields so the hot loops of nodes index them directly.
 */
public final class PacketVector {
    /** Packets per vector (VPP's {@code VLIB_FRAME_SIZE}, CNDP's {@code CNE_GRAPH_BURST_SIZE}). */
    public static final int CAPACITY = 256;

    public final long[] addr = new long[CAPACITY];
    public final int[] len = new int[CAPACITY];
    public final int[] port = new int[CAPACITY];
    public final int[] meta0 = new int[CAPACITY];
    public final int[] meta1 = new int[CAPACITY];
    int count;

    /** An empty vector (tests and port harnesses; the graph preallocates its own). */
    public PacketVector() {
    }

    /** Packets in slots {@code 0..count-1}. */
    public int count() {
        return count;
    }

    /** Sets the number of packets (after writing the slots directly). */
    public void count(final int n) {
        if (n < 0 || n > CAPACITY) {
            throw new IllegalArgumentException("count=" + n + " is outside 0.." + CAPACITY);
        }
        count = n;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Free slots. */
    public int room() {
        return CAPACITY - count;
    }

    /**
     * Appends one packet (metadata zero) and returns its slot, or -1 if the vector is full. For
     * tests and slow paths; ports and nodes write the arrays directly.
     */
    public int add(final long address, final int length, final int portIndex) {
        final int i = count;
        if (i == CAPACITY) {
            return -1;
        }
        addr[i] = address;
        len[i] = length;
        port[i] = portIndex;
        meta0[i] = 0;
        meta1[i] = 0;
        count = i + 1;
        return i;
    }

    /** Empties the vector (the slots keep their stale values). */
    public void clear() {
        count = 0;
    }

    /** Zeroes the metadata words of slots {@code from..from+n-1} (ports call it on receive). */
    public void clearMeta(final int from, final int n) {
        Arrays.fill(meta0, from, from + n, 0);
        Arrays.fill(meta1, from, from + n, 0);
    }

    /** Copies packets {@code from..from+n-1} of {@code src} to slots {@code to..to+n-1} of {@code dst}. */
    static void copy(final PacketVector src, final int from, final PacketVector dst, final int to, final int n) {
        if (n >= ARRAYCOPY_MIN) {
            System.arraycopy(src.addr, from, dst.addr, to, n);
            System.arraycopy(src.len, from, dst.len, to, n);
            System.arraycopy(src.port, from, dst.port, to, n);
            System.arraycopy(src.meta0, from, dst.meta0, to, n);
            System.arraycopy(src.meta1, from, dst.meta1, to, n);
        } else {
            for (int k = 0; k < n; k++) {
                dst.addr[to + k] = src.addr[from + k];
                dst.len[to + k] = src.len[from + k];
                dst.port[to + k] = src.port[from + k];
                dst.meta0[to + k] = src.meta0[from + k];
                dst.meta1[to + k] = src.meta1[from + k];
            }
        }
    }

    /** Below this run length a scalar loop beats five arraycopy calls. */
    private static final int ARRAYCOPY_MIN = 8;

    @Override
    public String toString() {
        return "PacketVector[count=" + count + "]";
    }
}
