package io.splitplane.dataplane.channel;

import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.fib.Ip4Checksum;
import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.port.PacketMemory;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A UDP endpoint served by the graph, shaped like {@link java.nio.channels.DatagramChannel}: open
 * ({@link Channels#open()}), {@link #bind}, {@link #receive}, {@link #send}, {@link #configureBlocking
 * non-blocking mode}, {@link #close}. Or, opened with a {@link DatagramHandler}, the callback form:
 * datagrams are handed to the handler on the graph worker where they lie in the UMEM (no copy).
 *
 * <h2>Threads and frames</h2>
 * A pull channel is used by one application thread; the graph workers run elsewhere. They share only
 * {@link ChannelSide}'s SPSC rings (no lock on either side):
 * <ul>
 *   <li>receive: {@code channel-rx} puts each datagram's frame on the worker's {@code rx} ring;
 *   {@link #receive} copies the payload into the caller's buffer (the one copy a kernel socket makes
 *   too) and gives the frame back on {@code release}; the worker frees it to its port;</li>
 *   <li>send: the worker keeps a few free frames on {@code spare}; {@link #send} takes one, writes the
 *   IPv4 and UDP headers (checksums included) and the payload into it, and puts it on {@code tx};
 *   {@code channel-tx} on the worker resolves route and neighbour, writes the MACs and hands it to
 *   the egress port.</li>
 * </ul>
 * A frame on a ring belongs to the graph as far as the port's accounting is concerned, and only the
 * worker ever frees or sends one, so the ports' frame accounting holds. {@link #close} unbinds, then
 * waits until every worker has taken back every frame of the channel.
 *
 * <p>A pull channel sends through the worker that delivered its last datagram (worker 0 before the
 * first): a reply leaves by the ports of the worker the request came in on; a route whose egress port
 * another worker runs is counted as dropped ({@code channel-tx/egress-not-local}). Every worker keeps
 * a few spare frames for every bound pull channel. The source address is the bound address: bind to
 * a specific local address to send (a wildcard-bound channel can receive only). A callback channel's
 * handler runs on whichever worker received the datagram; sending from it is for a single-worker
 * dataplane (it sends through worker 0, whose send ring must have one producer).
 */
public final class UdpChannel implements AutoCloseable {
    private static final int OPEN = 0;
    private static final int BOUND = 1;
    private static final int CLOSING = 2;
    private static final int CLOSED = 3;

    /** Ethernet + IPv4 (no options) + UDP header bytes in front of a payload. */
    static final int HEADERS = 14 + 20 + UdpHeaderLayout.SIZE;
    private static final ValueLayout.OfInt BE32 = Ip4HeaderLayout.FIELD_U32;
    private static final ValueLayout.OfShort BE16 = Ip4HeaderLayout.FIELD_U16;
    private static final int DEFAULT_TTL = 64;
    private static final int IP_HEADER = (int) Ip4HeaderLayout.MIN_SIZE;
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(2);

    private final Channels owner;
    private final int id;
    private final DatagramHandler handler;
    final ChannelSide[] sides;
    /** The worker a callback channel sends through (its handler's sends have one producer). */
    private static final int CALLBACK_WORKER = 0;
    private volatile int state = OPEN;
    private volatile int localAddress;
    private volatile int localPort;
    private volatile boolean blocking = true;
    // Application-thread state. A blocking receive spins, then yields for a while before it parks:
    // a park costs at least the timer slack (50 us on Linux), which would dominate a round trip.
    private final IdleStrategy idle = new BackoffIdleStrategy(100, 1_000, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MICROSECONDS.toNanos(100));
    private int nextSide;
    /**
     * The worker that delivered the last datagram: replies go out through it, since the route back to a
     * sender usually leaves by the port it came in on, and only that port's worker can send there.
     */
    private int sendWorker;

    UdpChannel(Channels owner, int id, DatagramHandler handler, ChannelSide[] sides) {
        this.owner = owner;
        this.id = id;
        this.handler = handler;
        this.sides = sides;
    }

    /** The descriptor (slot) of this channel. */
    public int id() {
        return id;
    }

    /**
     * Binds to {@code local}: an IPv4 address of this dataplane (or the wildcard address: every local
     * address) and a port 1..65535. Datagrams to it are delivered to this channel from then on instead
     * of the kernel.
     */
    public synchronized UdpChannel bind(InetSocketAddress local) throws IOException {
        ensureOpen();
        if (state == BOUND) {
            throw new AlreadyBoundException();
        }
        if (local == null || local.isUnresolved()) {
            throw new UnsupportedAddressTypeException();
        }
        InetAddress a = local.getAddress();
        if (!(a instanceof Inet4Address)) {
            throw new UnsupportedAddressTypeException();
        }
        if (local.getPort() == 0) {
            throw new IllegalArgumentException("port=0: channels have no ephemeral ports; bind to a port 1..65535");
        }
        int address = Ip4.parse(a.getHostAddress());
        owner.bind(this, address, local.getPort());
        localAddress = address;
        localPort = local.getPort();
        state = BOUND;
        return this;
    }

    /** The bound address, or null if not bound. */
    public InetSocketAddress localAddress() {
        return state == BOUND ? new InetSocketAddress(inet(localAddress), localPort) : null;
    }

    /** Non-blocking: {@link #receive} returns null when nothing waits, {@link #send} 0 when no frame is free. */
    public UdpChannel configureBlocking(boolean block) {
        blocking = block;
        return this;
    }

    public boolean isBlocking() {
        return blocking && handler == null;
    }

    public boolean isOpen() {
        return state <= BOUND;
    }

    boolean isBound() {
        return state == BOUND;
    }

    /** Worker: closing or closed: deliver nothing more, take back its frames. */
    boolean isClosing() {
        return state >= CLOSING;
    }

    int localAddressInt() {
        return localAddress;
    }

    int localPortInt() {
        return localPort;
    }

    DatagramHandler handler() {
        return handler;
    }

    /** Whether {@code worker} keeps spare frames for this channel: every worker for a pull channel. */
    boolean sendsThrough(int worker) {
        return handler == null || worker == CALLBACK_WORKER;
    }

    /**
     * Copies the next datagram's payload into {@code dst} (what does not fit is discarded, as
     * {@code DatagramChannel} does) and returns its sender; in non-blocking mode null if none waits.
     */
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        if (handler != null) {
            throw new IllegalStateException("channel " + id + " delivers to its handler; receive is for pull channels");
        }
        if (state == OPEN) {
            throw new NotYetBoundException();
        }
        final int n = sides.length;
        while (true) {
            ensureOpen();
            for (int k = 0; k < n; k++) {
                final int w = (nextSide + k) % n;
                final ChannelSide side = sides[w];
                if (!side.rx.peek()) {
                    continue;
                }
                final long payload = side.rx.a();
                final long word = side.rx.b();
                side.rx.take();
                nextSide = (w + 1) % n;
                sendWorker = w;
                idle.reset();
                return deliver(owner.memory(w).segment(), side, payload, (int) word, (int) (word >>> 32), dst);
            }
            if (!blocking) {
                return null;
            }
            idle.idle();
        }
    }

    private static InetSocketAddress deliver(MemorySegment m, ChannelSide side, long payload, int length, int port,
                                             ByteBuffer dst) {
        final int n = Math.min(length, dst.remaining());
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, payload, MemorySegment.ofBuffer(dst), ValueLayout.JAVA_BYTE, 0, n);
        dst.position(dst.position() + n);
        final long udp = payload - UdpHeaderLayout.SIZE;
        final long ip = udp - Ip4HeaderLayout.MIN_SIZE;
        final int source = m.get(BE32, ip + Ip4HeaderLayout.SOURCE_OFFSET);
        final int sourcePort = m.get(BE16, udp + UdpHeaderLayout.SOURCE_OFFSET) & 0xFFFF;
        if (!side.release.offer(payload, port)) {
            // Cannot happen: release holds as many entries as rx and spare together.
            throw new IllegalStateException("release ring full: frame accounting is broken");
        }
        return new InetSocketAddress(inet(source), sourcePort);
    }

    /**
     * Sends {@code src}'s remaining bytes to {@code target} through the graph. Returns the bytes sent,
     * or 0 in non-blocking mode (and from a handler) when no free frame is at hand. A payload larger
     * than a frame can hold is an error (EMSGSIZE); whether the graph finds a route and a neighbour is
     * counted ({@code txDropped}), as with a kernel UDP socket that cannot report it either.
     */
    public int send(ByteBuffer src, InetSocketAddress target) throws IOException {
        if (target == null || target.isUnresolved() || !(target.getAddress() instanceof Inet4Address)) {
            throw new UnsupportedAddressTypeException();
        }
        final int length = src.remaining();
        final int sent = send(MemorySegment.ofBuffer(src), 0, length, Ip4.parse(target.getAddress().getHostAddress()),
                target.getPort());
        src.position(src.position() + sent);
        return sent;
    }

    /**
     * {@link #send(ByteBuffer, InetSocketAddress)} without objects: {@code length} bytes of {@code src}
     * from {@code offset} to (address, port), the address host-order. What a {@link DatagramHandler}
     * uses to answer from the worker without allocating (e.g. straight out of the received frame).
     */
    public int send(MemorySegment src, long offset, int length, int address, int port) throws IOException {
        ensureOpen();
        if (state != BOUND) {
            throw new NotYetBoundException();
        }
        if (localAddress == 0) {
            throw new IOException("channel " + id + " is bound to the wildcard address; bind to a local address to send");
        }
        if (port <= 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("target port=" + port + " is outside 1..65535");
        }
        final int worker = handler == null ? sendWorker : CALLBACK_WORKER;
        final PacketMemory memory = owner.memory(worker);
        final int max = memory.chunkSize() - memory.dataOffset() - HEADERS;
        if (length > max) {
            throw new IOException("message too long: " + length + " bytes, at most " + max + " fit in a frame (EMSGSIZE)");
        }
        final ChannelSide side = sides[worker];
        while (!side.spare.peek()) {
            if (!blocking || handler != null) {
                side.add(ChannelSide.A_NO_SPARE, 1);
                return 0;
            }
            idle.idle();
            ensureOpen();
        }
        final long frame = side.spare.a();
        final long framePort = side.spare.b();
        side.spare.take();
        idle.reset();
        writeDatagram(memory.segment(), frame, localAddress, localPort, address, port, src, offset, length);
        // tx holds at least as many entries as spare, and only spare frames go there: never full.
        side.tx.offer(frame, framePort << 32 | (HEADERS + length));
        return length;
    }

    /** Ethernet type, IPv4 header and UDP header with their checksums, and the payload; MACs are the worker's. */
    static void writeDatagram(MemorySegment m, long frame, int source, int sourcePort, int destination,
                              int destinationPort, MemorySegment src, long offset, int length) {
        final long ip = frame + 14;
        final long udp = ip + Ip4HeaderLayout.MIN_SIZE;
        final long payload = udp + UdpHeaderLayout.SIZE;
        m.set(BE16, frame + 12, (short) 0x0800);
        m.set(BE32, ip, 0x4500_0000 | (IP_HEADER + UdpHeaderLayout.SIZE + length));
        m.set(BE32, ip + 4, 0x0000_4000);                                   // id 0, DF
        m.set(BE32, ip + 8, DEFAULT_TTL << 24 | UdpHeaderLayout.PROTOCOL << 16);
        m.set(BE32, ip + Ip4HeaderLayout.SOURCE_OFFSET, source);
        m.set(BE32, ip + Ip4HeaderLayout.DESTINATION_OFFSET, destination);
        Ip4Checksum.fill(m, ip, IP_HEADER);
        final int udpLength = UdpHeaderLayout.SIZE + length;
        m.set(BE16, udp + UdpHeaderLayout.SOURCE_OFFSET, (short) sourcePort);
        m.set(BE16, udp + UdpHeaderLayout.DEST_OFFSET, (short) destinationPort);
        m.set(BE16, udp + UdpHeaderLayout.LENGTH_OFFSET, (short) udpLength);
        m.set(BE16, udp + UdpHeaderLayout.CHECKSUM_OFFSET, (short) 0);
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, offset, m, ValueLayout.JAVA_BYTE, payload, length);
        // RFC 768: pseudo header (addresses, protocol, UDP length) + UDP header + payload; 0 is sent as 0xFFFF.
        long sum = (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF)
                + UdpHeaderLayout.PROTOCOL + udpLength + sum16(m, udp, udpLength);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int checksum = ~(int) sum & 0xFFFF;
        m.set(BE16, udp + UdpHeaderLayout.CHECKSUM_OFFSET, (short) (checksum == 0 ? 0xFFFF : checksum));
    }

    /** Sum of the big-endian 16-bit words of {@code m[off, off+len)} (an odd last byte padded with 0). */
    static long sum16(MemorySegment m, long off, int len) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += m.get(BE16, off + i) & 0xFFFF;
        }
        if (i < len) {
            sum += (m.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF) << 8;
        }
        return sum;
    }

    /** A read-only snapshot: address, mode, counters summed over the workers. */
    public ChannelInfo info() {
        long rx = 0;
        long rxb = 0;
        long rxd = 0;
        long tx = 0;
        long txb = 0;
        long txd = 0;
        int queued = 0;
        for (ChannelSide s : sides) {
            rx += s.get(ChannelSide.W_RX_PACKETS);
            rxb += s.get(ChannelSide.W_RX_BYTES);
            rxd += s.get(ChannelSide.W_RX_DROPPED);
            tx += s.get(ChannelSide.W_TX_PACKETS);
            txb += s.get(ChannelSide.W_TX_BYTES);
            txd += s.get(ChannelSide.W_TX_DROPPED);
            queued += s.rx.size();
        }
        int st = state;
        return new ChannelInfo(id, st == BOUND ? Ip4.toString(localAddress) : null, st == BOUND ? localPort : 0,
                handler == null ? "pull" : "callback",
                switch (st) {
                    case OPEN -> "open";
                    case BOUND -> "bound";
                    default -> "closing";
                }, rx, rxb, rxd, tx, txb, txd, queued);
    }

    /**
     * Unbinds (datagrams to its port go to the kernel again), then waits until every worker has taken
     * back every frame the channel held (its rings drained into the ports' pools). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (state >= CLOSING) {
            return;
        }
        owner.unbind(this);
        state = CLOSING;
        long deadline = System.nanoTime() + CLOSE_WAIT_NS;
        boolean all;
        do {
            all = true;
            for (ChannelSide s : sides) {
                all &= s.isReleased();
            }
            if (!all) {
                Thread.onSpinWait();
                if (owner.areWorkersStopped() || System.nanoTime() - deadline > 0) {
                    // Workers stopped (dataplane closed): the frames went with the UMEM; the slot stays
                    // taken so that no later channel can be handed a stale frame.
                    state = CLOSED;
                    return;
                }
                Thread.yield();
            }
        } while (!all);
        state = CLOSED;
        owner.free(this);
    }

    private void ensureOpen() throws ClosedChannelException {
        if (state >= CLOSING) {
            throw new ClosedChannelException();
        }
    }

    private static InetAddress inet(int address) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (address >>> 24), (byte) (address >>> 16),
                (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return "UdpChannel[" + id + ", " + info().state() + (state == BOUND ? ", " + Ip4.toString(localAddress) + ":"
                + localPort : "") + "]";
    }
}
