package io.splitplane.dataplane.fib;

/**
 * The flow hash ECMP selection uses: a function of the IPv4 5-tuple, so that every packet of a flow
 * takes the same path, with all 32 output bits well mixed (selection masks the low bits, and a table
 * of 2^k buckets must see every input bit).
 *
 * <p>Construction: pack the tuple into two 64-bit words, combine them with two odd multipliers, and
 * finish with the murmur3/SplitMix 64-bit finaliser (three xor-shifts, two multiplies), then fold to
 * 32 bits. About 2 ns; no allocation, no table. It is not cryptographic: a seed (e.g. random per
 * node) keeps different routers from making the same choices (ECMP polarisation) and makes the spread
 * hard to predict from outside.
 */
public final class FlowHash {
    /** The seed of the unseeded variant. */
    public static final long DEFAULT_SEED = 0x5EED_F10E_C0FF_EE00L;

    private static final long K1 = 0x9E37_79B9_7F4A_7C15L;
    private static final long K2 = 0xC2B2_AE3D_27D4_EB4FL;

    private FlowHash() {
    }

    /**
     * The hash of an IPv4 flow with {@link #DEFAULT_SEED}.
     *
     * @param source      source address (host order)
     * @param destination destination address (host order)
     * @param protocol    IP protocol (low 8 bits used)
     * @param sourcePort  L4 source port (low 16 bits used; 0 when the protocol has none)
     * @param destPort    L4 destination port (low 16 bits used; 0 when the protocol has none)
     */
    public static int ip4(final int source, final int destination, final int protocol, final int sourcePort,
                          final int destPort) {
        return ip4(DEFAULT_SEED, source, destination, protocol, sourcePort, destPort);
    }

    /** The hash of an IPv4 flow with {@code seed}. */
    public static int ip4(final long seed, final int source, final int destination, final int protocol,
                          final int sourcePort, final int destPort) {
        final long addresses = ((long) source << 32) | (destination & 0xFFFF_FFFFL);
        final long rest = ((long) (protocol & 0xFF) << 32) | ((sourcePort & 0xFFFFL) << 16) | (destPort & 0xFFFFL);
        long h = (addresses ^ seed) * K1 + rest * K2;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return (int) (h ^ (h >>> 32));
    }
}
