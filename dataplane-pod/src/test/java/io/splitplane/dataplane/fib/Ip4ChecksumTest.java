package io.splitplane.dataplane.fib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RFC 1624 incremental updates against full recomputation. */
class Ip4ChecksumTest {
    private static final long IP = 14; // after an Ethernet header, as in a frame

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment frame = arena.allocate(128);

    @AfterEach
    void close() {
        arena.close();
    }

    /** Writes a random header with {@code words} 32-bit words and a correct checksum; returns its length. */
    private int randomHeader(final SplittableRandom rnd, final int words, final int ttl) {
        final int length = words * 4;
        for (int i = 0; i < length; i++) {
            frame.set(ValueLayout.JAVA_BYTE, IP + i, (byte) rnd.nextInt(256));
        }
        frame.set(ValueLayout.JAVA_BYTE, IP, (byte) (0x40 | words));
        frame.set(ValueLayout.JAVA_BYTE, IP + Ip4HeaderLayout.TTL_OFFSET, (byte) ttl);
        Ip4Checksum.fill(frame, IP, length);
        return length;
    }

    private int checksum() {
        return frame.get(Ip4HeaderLayout.FIELD_U16, IP + Ip4HeaderLayout.CHECKSUM_OFFSET) & 0xFFFF;
    }

    private int ttl() {
        return frame.get(ValueLayout.JAVA_BYTE, IP + Ip4HeaderLayout.TTL_OFFSET) & 0xFF;
    }

    @Test
    void shouldComputeTheTextbookChecksum() {
        // 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7 (a classic worked example)
        final byte[] header = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        MemorySegment.copy(header, 0, frame, ValueLayout.JAVA_BYTE, IP, header.length);
        assertEquals(0xB861, Ip4Checksum.compute(frame, IP, 20));
        Ip4Checksum.fill(frame, IP, 20);
        assertEquals(0xB861, checksum());
        assertTrue(Ip4Checksum.isValid(frame, IP, 20));
        assertEquals(0xB861, Ip4Checksum.compute(frame, IP, 20), "compute ignores the field's current value");
    }

    @Test
    void shouldFollowRfc1624NotRfc1141InItsExample() {
        // RFC 1624 section 4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285: the right answer is 0x0000.
        assertEquals(0x0000, Ip4Checksum.update(0xDD2F, 0x5555, 0x3285));
        // RFC 1141's HC' = HC + m + ~m' gives the other zero, 0xFFFF, which a recomputation never does.
        final int rfc1141 = Ip4Checksum.fold(0xDD2F + 0x5555 + (~0x3285 & 0xFFFF));
        assertEquals(0xFFFF, rfc1141);
    }

    @Test
    void shouldMatchFullRecomputationForRandomHeaders() {
        final SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            final int ttl = 2 + rnd.nextInt(254);
            final int length = randomHeader(rnd, 5 + rnd.nextInt(11), ttl);
            assertTrue(Ip4Checksum.isValid(frame, IP, length));
            final int before = checksum();
            assertEquals(ttl - 1, Ip4Checksum.decrementTtl(frame, IP));
            assertEquals(ttl - 1, ttl());
            final int incremental = checksum();
            assertEquals(Ip4Checksum.compute(frame, IP, length), incremental,
                    "header checksum before=0x" + Integer.toHexString(before));
            assertTrue(Ip4Checksum.isValid(frame, IP, length));
            assertNotEquals(0xFFFF, incremental, "a recomputation never yields 0xFFFF");
        }
    }

    @Test
    void shouldHandleTheZeroChecksumCornerCases() {
        final SplittableRandom rnd = new SplittableRandom(7);
        int zeroAfter = 0;
        int zeroBefore = 0;
        for (int i = 0; i < 2_000; i++) {
            final int length = randomHeader(rnd, 5, 2 + rnd.nextInt(254));
            // Steer the id field so that the checksum after the decrement must be 0x0000 ...
            final boolean after = (i & 1) == 0;
            final int ttlWordAfter = (ttl() - (after ? 1 : 0)) << 8 | frame.get(ValueLayout.JAVA_BYTE,
                    IP + Ip4HeaderLayout.PROTOCOL_OFFSET) & 0xFF;
            frame.set(Ip4HeaderLayout.FIELD_U16, IP + Ip4HeaderLayout.ID_OFFSET, (short) 0);
            frame.set(Ip4HeaderLayout.FIELD_U16, IP + Ip4HeaderLayout.CHECKSUM_OFFSET, (short) 0);
            frame.set(ValueLayout.JAVA_BYTE, IP + Ip4HeaderLayout.TTL_OFFSET, (byte) (ttlWordAfter >>> 8));
            // ... i.e. the other words must sum to 0xFFFF: choose id = ~sum(others).
            final int others = Ip4Checksum.sum(frame, IP, length);
            frame.set(Ip4HeaderLayout.FIELD_U16, IP + Ip4HeaderLayout.ID_OFFSET, (short) (~others & 0xFFFF));
            assertEquals(0x0000, Ip4Checksum.compute(frame, IP, length));
            if (after) {
                // Put the original TTL back with the checksum it needs, then decrement.
                frame.set(ValueLayout.JAVA_BYTE, IP + Ip4HeaderLayout.TTL_OFFSET, (byte) (ttl() + 1));
            }
            Ip4Checksum.fill(frame, IP, length);
            if (!after) {
                assertEquals(0x0000, checksum());
                zeroBefore++;
            }
            if (ttl() <= 1) {
                continue;
            }
            Ip4Checksum.decrementTtl(frame, IP);
            assertEquals(Ip4Checksum.compute(frame, IP, length), checksum());
            if (after) {
                assertEquals(0x0000, checksum(), "RFC 1624: 0x0000, not 0xFFFF");
                zeroAfter++;
            }
        }
        assertTrue(zeroAfter > 500 && zeroBefore > 500);
    }

    @Test
    void shouldAgreeWithTheGeneralUpdateForEveryChecksum() {
        for (int hc = 0; hc <= 0xFFFF; hc++) {
            final int word = 0x4011; // any ttl/protocol word with ttl >= 1
            final int expected = Ip4Checksum.update(hc, word, word - 0x0100);
            assertEquals(expected, Ip4Checksum.afterTtlDecrement(hc), "hc=0x" + Integer.toHexString(hc));
            assertNotEquals(0xFFFF, expected);
        }
    }

    @Test
    void shouldNotForwardExpiringPackets() {
        final SplittableRandom rnd = new SplittableRandom(1);
        for (final int ttl : new int[] {0, 1}) {
            final int length = randomHeader(rnd, 5, ttl);
            final byte[] before = frame.asSlice(IP, length).toArray(ValueLayout.JAVA_BYTE);
            assertEquals(-1, Ip4Checksum.decrementTtl(frame, IP));
            assertArrayEquals(before, frame.asSlice(IP, length).toArray(ValueLayout.JAVA_BYTE), "unchanged");
        }
        randomHeader(rnd, 5, 2);
        assertEquals(1, Ip4Checksum.decrementTtl(frame, IP));
    }
}
