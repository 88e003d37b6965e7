package io.splitplane.dataplane.examples;

import io.splitplane.dataplane.channel.Channels;
import io.splitplane.dataplane.channel.DatagramHandler;
import io.splitplane.dataplane.channel.UdpChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The UDP echo service, written against the channel API the way one would write it against
 * {@link java.nio.channels.DatagramChannel}: bind, then receive a datagram and send it back to
 * whoever sent it, until closed. Two forms:
 *
 * <ul>
 *   <li>{@link #start}: a pull channel served by an application thread ({@code udp-echo-<port>}):
 *   one copy in (receive) and one out (send), like a kernel socket;</li>
 *   <li>{@link #startInGraph}: a callback channel: the echo is written straight from the received
 *   frame into a send frame on the graph worker (no copy into the application, no thread).</li>
 * </ul>
 */
public final class UdpEcho implements AutoCloseable {
    private final UdpChannel channel;
    private final Thread thread;
    private final AtomicLong echoed;

    private UdpEcho(UdpChannel channel, Thread thread, AtomicLong echoed) {
        this.channel = channel;
        this.thread = thread;
        this.echoed = echoed;
    }

    /** Echo on {@code local} from an application thread. */
    public static UdpEcho start(Channels channels, InetSocketAddress local) throws IOException {
        UdpChannel ch = channels.open();
        try {
            ch.bind(local);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        UdpEcho[] self = new UdpEcho[1];
        Thread t = Thread.ofPlatform().name("udp-echo-" + local.getPort()).unstarted(() -> self[0].serve());
        self[0] = new UdpEcho(ch, t, new AtomicLong());
        t.start();
        return self[0];
    }

    /** Echo on {@code local} inside the graph (a callback channel). */
    public static UdpEcho startInGraph(Channels channels, InetSocketAddress local) throws IOException {
        AtomicLong count = new AtomicLong();
        DatagramHandler echo = (ch, memory, offset, length, source, sourcePort) -> {
            try {
                if (ch.send(memory, offset, length, source, sourcePort) == length) {
                    count.lazySet(count.get() + 1); // single writer: the worker
                }
            } catch (IOException e) {
                // closed meanwhile: nothing to answer
            }
        };
        UdpChannel ch = Objects.requireNonNull(channels, "channels").open(echo);
        try {
            ch.bind(local);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new UdpEcho(ch, null, count);
    }

    private void serve() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
        try {
            while (true) {
                buf.clear();
                InetSocketAddress from = channel.receive(buf);
                buf.flip();
                if (channel.send(buf, from) > 0) {
                    echoed.lazySet(echoed.get() + 1); // single writer: this thread
                }
            }
        } catch (ClosedChannelException e) {
            // closed: done
        } catch (IOException e) {
            throw new IllegalStateException("udp echo on " + channel + " failed", e);
        }
    }

    public UdpChannel channel() {
        return channel;
    }

    /** Datagrams echoed so far. */
    public long echoed() {
        return echoed.get();
    }

    /** Closes the channel (its frames go back to the graph) and ends the thread. */
    @Override
    public void close() throws InterruptedException {
        channel.close();
        if (thread != null) {
            thread.join(5_000);
        }
    }
}
