package io.splitplane.dataplane.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class QuiescenceTest {
    private final Quiescence quiescence = new Quiescence(2);
    private final List<String> ran = new ArrayList<>();

    @Test
    void shouldReclaimAtOnceWithoutReaders() {
        quiescence.retire(() -> ran.add("a"));
        assertEquals(1, quiescence.reclaim());
        assertEquals(List.of("a"), ran);
        assertEquals(0, quiescence.pending());
    }

    @Test
    void shouldWaitForEveryOnlineReaderToPassAQuiescentPoint() {
        try (Quiescence.Reader r1 = quiescence.register(); Quiescence.Reader r2 = quiescence.register()) {
            quiescence.retire(() -> ran.add("a"));
            assertEquals(0, quiescence.reclaim());
            r1.quiescent();
            assertEquals(0, quiescence.reclaim(), "r2 has not passed one");
            quiescence.retire(() -> ran.add("b"));
            r2.quiescent();
            assertEquals(1, quiescence.reclaim(), "a is safe; b was retired after r1's point");
            assertEquals(List.of("a"), ran);
            r1.quiescent();
            assertEquals(1, quiescence.reclaim());
            assertEquals(List.of("a", "b"), ran);
            assertEquals(2, quiescence.reclaimed());
        }
    }

    @Test
    void shouldIgnoreOfflineAndClosedReaders() {
        final Quiescence.Reader r1 = quiescence.register();
        final Quiescence.Reader r2 = quiescence.register();
        r1.offline();
        assertEquals(Quiescence.OFFLINE, r1.publishedEpoch());
        r2.close();
        quiescence.retire(() -> ran.add("a"));
        assertEquals(1, quiescence.reclaim());
        r1.online();
        quiescence.retire(() -> ran.add("b"));
        assertEquals(0, quiescence.reclaim(), "online again: it counts");
        r1.quiescent();
        assertEquals(1, quiescence.reclaim());
        r1.close();
        r1.close();
        assertEquals(0, quiescence.readers());
    }

    @Test
    @SuppressWarnings("try") // the readers only need to exist
    void shouldRefuseMoreReadersThanSlots() {
        try (Quiescence.Reader r1 = quiescence.register(); Quiescence.Reader r2 = quiescence.register()) {
            final IllegalStateException e = assertThrows(IllegalStateException.class, quiescence::register);
            assertTrue(e.getMessage().contains("maxReaders=2"));
        }
        try (Quiescence.Reader again = quiescence.register()) {
            assertEquals(1, quiescence.readers());
        }
    }

    @Test
    void shouldAwaitAWorkerThatKeepsRunning() throws Exception {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread worker = new Thread(() -> {
            try (Quiescence.Reader reader = quiescence.register()) {
                while (!stop.get()) {
                    reader.quiescent();
                    Thread.onSpinWait();
                }
            }
        });
        worker.start();
        while (quiescence.readers() == 0) {
            Thread.onSpinWait();
        }
        for (int i = 0; i < 100; i++) {
            quiescence.retire(() -> ran.add("x"));
        }
        assertTrue(quiescence.awaitQuiescence(TimeUnit.SECONDS.toNanos(5)));
        assertEquals(100, ran.size());
        stop.set(true);
        worker.join();
    }

    @Test
    @SuppressWarnings("try") // the reader only needs to exist
    void shouldTimeOutOnAStuckWorker() {
        try (Quiescence.Reader stuck = quiescence.register()) {
            quiescence.retire(() -> ran.add("a"));
            assertFalse(quiescence.awaitQuiescence(TimeUnit.MILLISECONDS.toNanos(20)));
            assertEquals(1, quiescence.pending());
        }
        assertTrue(quiescence.awaitQuiescence(TimeUnit.MILLISECONDS.toNanos(20)), "closed: no longer waited for");
    }
}
