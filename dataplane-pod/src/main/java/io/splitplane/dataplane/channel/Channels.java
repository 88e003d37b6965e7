package io.splitplane.dataplane.channel;

import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.port.PacketMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The channels of one dataplane: UDP endpoints served by the graph, the socket-like API of
 * applications that run on it (CNDP's {@code chnl_*}). Opens channels, binds them, and gives the
 * graph workers what they need without locks:
 *
 * <ul>
 *   <li>{@code ip4-local} finds the channel of a datagram with {@link #lookup} (an immutable hash of
 *   bindings, replaced whole on every bind/unbind and published with a release store);</li>
 *   <li>{@code channel-rx} and {@code channel-tx} find a channel by its id in a fixed slot array
 *   (release store on open, acquire load by workers); an id is reused only after every worker has
 *   released the closed channel's frames, which a worker does at the start of a loop, never between
 *   {@code ip4-local} and {@code channel-rx} of one loop.</li>
 * </ul>
 *
 * Control operations (open, bind, close) are {@code synchronized} among themselves; workers never wait.
 */
public final class Channels {
    /** Channels open at one time, at most. */
    public static final int MAX_CHANNELS = 1024;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(UdpChannel[].class);

    private final int workers;
    private final int ringSize;
    private final int spareCount;
    private final UdpChannel[] slots = new UdpChannel[MAX_CHANNELS];
    private final PacketMemory[] memories;
    private volatile Bindings bindings = Bindings.EMPTY;
    private volatile int highWater;
    private volatile boolean workersStopped;

    /** Channels for a dataplane of {@code workers} workers; rings of 1024 datagrams, 64 spare frames. */
    public Channels(int workers) {
        this(workers, 1024, 64);
    }

    /**
     * @param ringSize   receive and send ring entries per channel and worker (power of two)
     * @param spareCount free frames a channel keeps ready to send from (power of two)
     */
    public Channels(int workers, int ringSize, int spareCount) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers=" + workers + " must be >= 1");
        }
        if (ringSize < 2 || Integer.bitCount(ringSize) != 1 || spareCount < 2 || Integer.bitCount(spareCount) != 1) {
            throw new IllegalArgumentException("ringSize=" + ringSize + " and spareCount=" + spareCount
                    + " must be powers of two >= 2");
        }
        this.workers = workers;
        this.ringSize = ringSize;
        this.spareCount = spareCount;
        this.memories = new PacketMemory[workers];
    }

    /** Called as worker {@code worker}'s graph is built: the memory its frames live in. */
    public synchronized void attachWorker(int worker, PacketMemory memory) {
        Objects.checkIndex(worker, workers);
        memories[worker] = Objects.requireNonNull(memory, "memory");
    }

    /**
     * The dataplane stopped its workers: nobody will take frames back any more (they went with the
     * UMEM), so closing a channel does not wait for it.
     */
    public void workersStopped() {
        workersStopped = true;
    }

    boolean areWorkersStopped() {
        return workersStopped;
    }

    PacketMemory memory(int worker) {
        return memories[worker];
    }

    public int workers() {
        return workers;
    }

    int spareCount() {
        return spareCount;
    }

    /** A channel read from an application thread ({@link UdpChannel#receive}), like {@code DatagramChannel.open()}. */
    public UdpChannel open() {
        return open(null);
    }

    /** A channel whose datagrams go to {@code handler} on the graph worker (no copy); null: pull mode. */
    public synchronized UdpChannel open(DatagramHandler handler) {
        int id = -1;
        for (int i = 0; i < MAX_CHANNELS; i++) {
            if (slots[i] == null) {
                id = i;
                break;
            }
        }
        if (id < 0) {
            throw new IllegalStateException("too many channels: " + MAX_CHANNELS + " are open");
        }
        ChannelSide[] sides = new ChannelSide[workers];
        for (int w = 0; w < workers; w++) {
            sides[w] = new ChannelSide(ringSize, spareCount);
        }
        UdpChannel ch = new UdpChannel(this, id, handler, sides);
        SLOTS.setRelease(slots, id, ch);
        if (id >= highWater) {
            highWater = id + 1;
        }
        return ch;
    }

    /** Binds {@code ch} to (address, port); address 0 means every local address. */
    synchronized void bind(UdpChannel ch, int address, int port) throws BindException {
        Bindings b = bindings;
        if (b.find(address, port) >= 0) {
            throw new BindException("udp " + Ip4.toString(address) + ":" + port + " is already bound by another channel");
        }
        bindings = b.with(address, port, ch.id());
    }

    /** Removes the binding of {@code ch} (its datagrams go to the kernel from now on). */
    synchronized void unbind(UdpChannel ch) {
        if (ch.isBound()) {
            bindings = bindings.without(ch.localAddressInt(), ch.localPortInt());
        }
    }

    /** The slot of a channel whose frames every worker has released becomes free again. */
    synchronized void free(UdpChannel ch) {
        if (slots[ch.id()] == ch) {
            SLOTS.setRelease(slots, ch.id(), null);
        }
    }

    /** Worker: the id of the channel bound to (address, port), or to (any, port); -1 if none. */
    public int lookup(final int address, final int port) {
        final Bindings b = bindings;
        final int id = b.find(address, port);
        return id >= 0 ? id : b.find(0, port);
    }

    /** Worker: the channel in slot {@code id}, or null. */
    UdpChannel slot(final int id) {
        return (UdpChannel) SLOTS.getAcquire(slots, id);
    }

    /** Worker: slots {@code 0..highWater()-1} may hold channels. */
    int highWater() {
        return highWater;
    }

    /** A read-only snapshot of every open channel (for {@code show channels}). */
    public List<ChannelInfo> list() {
        List<ChannelInfo> out = new ArrayList<>();
        for (int i = 0, n = highWater; i < n; i++) {
            UdpChannel ch = slot(i);
            if (ch != null) {
                out.add(ch.info());
            }
        }
        return List.copyOf(out);
    }

    /** {@link #list()} as text, one line per channel. */
    public String format() {
        StringBuilder sb = new StringBuilder("  id  proto local                 mode     state   counters\n");
        for (ChannelInfo c : list()) {
            sb.append(c.format()).append('\n');
        }
        return sb.toString();
    }

    /** Immutable open-addressing map (address, port) -&gt; channel id. */
    private record Bindings(long[] keys, int[] ids, int count) {
        static final Bindings EMPTY = new Bindings(filled(16), new int[16], 0);

        private static long[] filled(int n) {
            long[] k = new long[n];
            Arrays.fill(k, -1L);
            return k;
        }

        private static long key(int address, int port) {
            return (address & 0xFFFF_FFFFL) << 16 | (port & 0xFFFF);
        }

        private static int hash(long key, int mask) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 40) & mask;
        }

        int find(final int address, final int port) {
            final long k = key(address, port);
            final long[] ks = keys;
            final int mask = ks.length - 1;
            for (int i = hash(k, mask); ; i = (i + 1) & mask) {
                final long x = ks[i];
                if (x == k) {
                    return ids[i];
                }
                if (x == -1L) {
                    return -1;
                }
            }
        }

        Bindings with(int address, int port, int id) {
            List<long[]> all = entries();
            all.add(new long[] {key(address, port), id});
            return build(all);
        }

        Bindings without(int address, int port) {
            long k = key(address, port);
            List<long[]> all = entries();
            all.removeIf(e -> e[0] == k);
            return build(all);
        }

        private List<long[]> entries() {
            List<long[]> all = new ArrayList<>();
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != -1L) {
                    all.add(new long[] {keys[i], ids[i]});
                }
            }
            return all;
        }

        private static Bindings build(List<long[]> all) {
            int cap = 16;
            while (cap < all.size() * 2) {
                cap <<= 1;
            }
            long[] ks = filled(cap);
            int[] is = new int[cap];
            int mask = cap - 1;
            for (long[] e : all) {
                int i = hash(e[0], mask);
                while (ks[i] != -1L) {
                    i = (i + 1) & mask;
                }
                ks[i] = e[0];
                is[i] = (int) e[1];
            }
            return new Bindings(ks, is, all.size());
        }
    }
}
