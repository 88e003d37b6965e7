package io.splitplane.dataplane.bench;

import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A random route set shaped like a full IPv4 BGP table: distinct prefixes in 1.0.0.0-223.255.255.255
 * with lengths distributed roughly as in today's global table (about 60% /24, 10% /23, 12% /22, a
 * tail to /8), plus 2% longer than /24 (host and p2p routes an IGP adds), so tbl8 groups are used.
 * Targets: next hops {@code 1..nextHops}, and 10% ECMP groups {@code 1..groups}.
 */
final class BgpLikeRoutes {
    final int[] prefixes;
    final int[] lengths;
    final int[] targets;
    final int count;

    /** Cumulative per-mille of each length bucket. */
    private static final int[][] LENGTHS = {
        // {length, cumulative per mille}
        {8, 1}, {12, 2}, {14, 3}, {15, 4}, {16, 17}, {17, 24}, {18, 37}, {19, 62}, {20, 107}, {21, 157},
        {22, 277}, {23, 377}, {24, 980}, {25, 984}, {26, 988}, {27, 991}, {28, 993}, {29, 995}, {30, 998}, {32, 1000},
    };

    private BgpLikeRoutes(final int count) {
        this.count = count;
        this.prefixes = new int[count];
        this.lengths = new int[count];
        this.targets = new int[count];
    }

    static BgpLikeRoutes generate(final int count, final int nextHops, final int groups, final long seed) {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final BgpLikeRoutes r = new BgpLikeRoutes(count);
        final Set<Long> seen = new HashSet<>(count * 2);
        int n = 0;
        while (n < count) {
            final int pick = rnd.nextInt(1000);
            int length = 24;
            for (final int[] bucket : LENGTHS) {
                if (pick < bucket[1]) {
                    length = bucket[0];
                    break;
                }
            }
            // 1.0.0.0 .. 223.255.255.255: unicast space.
            final int address = (1 + rnd.nextInt(223)) << 24 | rnd.nextInt(1 << 24);
            final int prefix = address & Ip4.mask(length);
            if (!seen.add(((long) length << 32) | (prefix & 0xFFFF_FFFFL))) {
                continue;
            }
            r.prefixes[n] = prefix;
            r.lengths[n] = length;
            r.targets[n] = rnd.nextInt(10) == 0 ? FibResult.group(1 + rnd.nextInt(groups))
                    : FibResult.nextHop(1 + rnd.nextInt(nextHops));
            n++;
        }
        return r;
    }

    /** {@code count} addresses, each inside a random route of this set. */
    int[] addressesInRoutes(final int count, final long seed) {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final int[] addresses = new int[count];
        for (int i = 0; i < count; i++) {
            final int route = rnd.nextInt(this.count);
            addresses[i] = prefixes[route] | (rnd.nextInt() & ~Ip4.mask(lengths[route]));
        }
        return addresses;
    }
}
