package io.splitplane.dataplane.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlowHashTest {
    private static final int BUCKETS = 256;

    @Test
    void shouldBeAFunctionOfTheTuple() {
        assertEquals(FlowHash.ip4(1, 2, 17, 3, 4), FlowHash.ip4(1, 2, 17, 3, 4));
        assertNotEquals(FlowHash.ip4(1, 2, 17, 3, 4), FlowHash.ip4(2, 1, 17, 3, 4), "direction matters");
        assertNotEquals(FlowHash.ip4(1, 2, 17, 3, 4), FlowHash.ip4(1, 2, 6, 3, 4));
        assertNotEquals(FlowHash.ip4(1, 2, 17, 3, 4), FlowHash.ip4(1, 2, 17, 4, 3));
        assertNotEquals(FlowHash.ip4(1, 2, 17, 3, 4), FlowHash.ip4(99, 1, 2, 17, 3, 4), "the seed matters");
        assertEquals(FlowHash.ip4(1, 2, 17, 3, 4), FlowHash.ip4(1, 2, 0x111, 0x10003, 4), "only the field's bits count");
    }

    /** Chi-square of {@code counts} against uniform; 255 degrees of freedom: mean 255, sd 22.6. */
    private static double chiSquare(final int[] counts, final int total) {
        final double expected = (double) total / counts.length;
        double chi = 0;
        for (final int c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }

    @Test
    void shouldSpreadRandomFlowsOverTheLowBits() {
        final SplittableRandom rnd = new SplittableRandom(1);
        final int[] low = new int[BUCKETS];
        final int[] high = new int[BUCKETS];
        final int n = 256_000;
        for (int i = 0; i < n; i++) {
            final int h = FlowHash.ip4(rnd.nextInt(), rnd.nextInt(), 17, rnd.nextInt(65536), rnd.nextInt(65536));
            low[h & 0xFF]++;
            high[h >>> 24]++;
        }
        // 255 + 6 sd: a real bias goes far beyond, a fair hash essentially never reaches it.
        assertTrue(chiSquare(low, n) < 390, "low byte chi2=" + chiSquare(low, n));
        assertTrue(chiSquare(high, n) < 390, "high byte chi2=" + chiSquare(high, n));
    }

    @Test
    void shouldSpreadFlowsThatDifferInOneFieldOnly() {
        // A load generator: same addresses, sequential source ports (the usual worst case).
        final int[] counts = new int[BUCKETS];
        for (int port = 0; port < 65536; port++) {
            counts[FlowHash.ip4(0x0A000001, 0x0A000002, 17, port, 4789) & 0xFF]++;
        }
        assertTrue(chiSquare(counts, 65536) < 390, "sequential sport chi2=" + chiSquare(counts, 65536));
        final int[] byDst = new int[BUCKETS];
        for (int host = 0; host < 65536; host++) {
            byDst[FlowHash.ip4(0x0A000001, 0xC0A80000 | host, 6, 40000, 80) & 0xFF]++;
        }
        assertTrue(chiSquare(byDst, 65536) < 390, "sequential dst chi2=" + chiSquare(byDst, 65536));
    }

    @Test
    void shouldAvalanche() {
        // Flipping any one input bit flips about half the output bits.
        final SplittableRandom rnd = new SplittableRandom(2);
        final int trials = 2_000;
        for (int field = 0; field < 5; field++) {
            final int bits = field < 2 ? 32 : field == 2 ? 8 : 16;
            for (int bit = 0; bit < bits; bit++) {
                long flipped = 0;
                for (int t = 0; t < trials; t++) {
                    final int[] v = {rnd.nextInt(), rnd.nextInt(), rnd.nextInt(256), rnd.nextInt(65536), rnd.nextInt(65536)};
                    final int h0 = FlowHash.ip4(v[0], v[1], v[2], v[3], v[4]);
                    v[field] ^= 1 << bit;
                    final int h1 = FlowHash.ip4(v[0], v[1], v[2], v[3], v[4]);
                    flipped += Integer.bitCount(h0 ^ h1);
                }
                final double ratio = flipped / (32.0 * trials);
                assertEquals(0.5, ratio, 0.03, "field " + field + " bit " + bit);
            }
        }
    }
}
