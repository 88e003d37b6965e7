package io.splitplane.kernel.testing;

import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;

/**
 * Sends numbered datagrams through a path under test and checks that every one arrives, intact and
 * in order. At most {@code window} datagrams are in flight, fewer than any queue on a test path
 * holds, so a missing or changed datagram is a fault of the path, never of the load.
 */
public final class UdpWindowPump {
    private UdpWindowPump() {
    }

    /**
     * Sends {@code count} datagrams {@code payload(0..count-1)} from {@code sender} and receives them
     * on {@code receiver} (both blocking, already connected/bound).
     *
     * @return how many arrived (always {@code count} when it returns)
     * @throws AssertionError naming the first datagram that differs or the point where it got stuck
     */
    public static long pump(DatagramChannel sender, DatagramChannel receiver, long count, int window,
                            LongFunction<byte[]> payload) throws InterruptedException {
        Semaphore credits = new Semaphore(window);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong received = new AtomicLong();
        Thread send = Thread.ofPlatform().name("pump-sender").start(() -> {
            try {
                for (long seq = 0; seq < count && failure.get() == null; seq++) {
                    while (!credits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        if (failure.get() != null) {
                            return;
                        }
                    }
                    sender.write(ByteBuffer.wrap(payload.apply(seq)));
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread receive = Thread.ofPlatform().name("pump-receiver").start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            try {
                for (long seq = 0; seq < count && failure.get() == null; seq++) {
                    buf.clear();
                    receiver.receive(buf);
                    byte[] expected = payload.apply(seq);
                    if (!Arrays.equals(buf.array(), 0, buf.position(), expected, 0, expected.length)) {
                        throw new AssertionError("datagram " + seq + " differs");
                    }
                    received.incrementAndGet();
                    credits.release();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        receive.join(60_000);
        if (receive.isAlive()) {
            failure.compareAndSet(null, new AssertionError("receiver stuck at " + received.get()));
            try {
                receiver.close(); // unblocks receive()
            } catch (java.io.IOException ignored) {
                // closing to unblock; nothing more to do
            }
        }
        send.join(10_000);
        receive.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError("failed after received=" + received.get(), failure.get());
        }
        return received.get();
    }
}
