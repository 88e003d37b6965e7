package io.splitplane.dataplane.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The ring that moves frames between an application thread and a worker. */
class SpscPairRingTest {
    @Test
    void fullAndEmptyAreAnswersAndOrderIsKept() {
        SpscPairRing r = new SpscPairRing(4);
        assertFalse(r.peek());
        for (int i = 0; i < 4; i++) {
            assertTrue(r.offer(i, 100 + i));
        }
        assertFalse(r.offer(9, 9), "full");
        assertEquals(4, r.size());
        for (int i = 0; i < 4; i++) {
            assertTrue(r.peek());
            assertEquals(i, r.a());
            assertEquals(100 + i, r.b());
            assertTrue(r.peek(), "peek does not consume");
            r.take();
        }
        assertFalse(r.peek());
        assertTrue(r.offer(5, 6), "room again after take");
        assertThrows(IllegalArgumentException.class, () -> new SpscPairRing(3));
    }

    @Test
    void twoThreadsMoveAMillionEntriesInOrderWithBothWordsTogether() throws Exception {
        SpscPairRing r = new SpscPairRing(64);
        long n = 1_000_000;
        AtomicReference<String> failure = new AtomicReference<>();
        Thread consumer = Thread.ofPlatform().start(() -> {
            for (long i = 0; i < n; i++) {
                while (!r.peek()) {
                    Thread.onSpinWait();
                }
                long a = r.a();
                long b = r.b();
                r.take();
                if (a != i || b != ~i) {
                    failure.compareAndSet(null, "entry " + i + " was (" + a + ", " + b + ")");
                    return;
                }
            }
        });
        for (long i = 0; i < n; i++) {
            while (!r.offer(i, ~i)) {
                Thread.onSpinWait();
            }
        }
        consumer.join(60_000);
        assertEquals(null, failure.get());
        assertFalse(consumer.isAlive());
        assertEquals(0, r.size());
    }
}
