package io.splitplane.dataplane.port;

import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.kernel.device.NetDevice;
import io.splitplane.kernel.device.NetDevices;
import io.splitplane.kernel.xdp.CompletionRing;
import io.splitplane.kernel.xdp.FillRing;
import io.splitplane.kernel.xdp.RxRing;
import io.splitplane.kernel.xdp.TxRing;
import io.splitplane.kernel.xdp.Umem;
import io.splitplane.kernel.xdp.UmemConfig;
import io.splitplane.kernel.xdp.XskSocket;
import io.splitplane.kernel.xdp.XskStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A netdev's receive queues as one {@link Port}: one AF_XDP socket per queue, all on one UMEM
 * (the first socket registers it, the others share it with their own FILL and COMPLETION rings),
 * one free-frame pool. Ports on other netdevs can join the same UMEM and pool
 * ({@link #open(AfXdpPortConfig, AfXdpPort)}), so one graph forwards between them without copying.
 * Received frames from any queue, frames sent, and frames dropped all come back to that pool, and
 * from it to whichever FILL ring has room. The first queue's socket sends (one TX ring per port:
 * a port is driven by one worker; several workers on one netdev each open a port on their own
 * queues).
 *
 * <h2>One loop of the driving thread</h2>
 * <ul>
 * <li>{@link #service()}: reap the COMPLETION ring into the pool; refill each FILL ring from the
 *     pool in batches of at least {@code fillBatch}; wake the driver ({@code recvfrom}) if a FILL ring
 *     says it ran dry (need_wakeup); kick TX again if descriptors are still waiting (copy mode sends
 *     at most the TX budget per syscall).</li>
 * <li>{@link #rx}: drain the RX rings round-robin into the vector. With busy polling on, an RX ring
 *     that could not fill the vector gets a {@code recvfrom}: that syscall is what runs the driver's
 *     NAPI poll.</li>
 * <li>{@link #tx}: reserve, write and submit once; frames that do not fit are freed and counted.
 *     Then kick: in copy mode always (the syscall does the sending, up to {@code maxKicksPerTx}
 *     calls while the kernel answers EAGAIN), in zero-copy mode only when the TX ring asks
 *     (need_wakeup), and always if need_wakeup was not negotiated.</li>
 * </ul>
 * Nothing on these paths allocates, blocks, or throws for kernel back-pressure; transient errno is
 * retried on the next loop and real failures are counted ({@link PortCounters#KICK_ERRORS}).
 *
 * <h2>Threads and namespaces</h2>
 * {@link #open} must run in the netdev's network namespace (inside {@code NetNamespace.call}); the
 * sockets stay bound there. Afterwards exactly one thread drives the port (the worker). The port
 * does not attach an XDP program: the classifier (or {@code XskRedirectProgram} in tests) steers
 * frames into {@link #sockets()}.
 *
 * <h2>Frame accounting</h2>
 * With {@link AfXdpPortConfig#frameAccounting()} every frame move goes through
 * {@link FrameAccounting}, which throws at the first frame that is lost, duplicated or double-freed.
 */
public final class AfXdpPort implements Port {
    private static final int BATCH = PacketVector.CAPACITY;

    private final AfXdpPortConfig config;
    private final Umem umem;
    private final PacketMemory memory;
    private final FramePool pool;
    private final FrameAccounting accounting;
    private final XskSocket[] sockets;
    private final RxRing[] rxRings;
    private final FillRing[] fillRings;
    private final XskSocket txSocket;
    private final TxRing txRing;
    private final CompletionRing completion;
    private final boolean zeroCopy;
    private final boolean kickAlways;
    private final boolean busyPoll;
    private final long busyPollHoldNs;
    /** Per queue: when it was last busy-polled (System.nanoTime). */
    private final long[] lastBusyPollNs;
    private final int fillBatch;
    private final int maxKicks;
    private final PortCounters counters = new PortCounters();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Shared shared;
    private final boolean ownsUmem;
    private int nextQueue;

    /** What ports sharing one UMEM share: the memory, its free frames, their accounting. */
    private record Shared(Umem umem, PacketMemory memory, FramePool pool, FrameAccounting accounting) {
    }

    private AfXdpPort(AfXdpPortConfig config, Shared shared, boolean ownsUmem, List<XskSocket> sockets) {
        this.config = config;
        this.umem = shared.umem();
        this.memory = shared.memory();
        this.pool = shared.pool();
        this.accounting = shared.accounting();
        this.shared = shared;
        this.ownsUmem = ownsUmem;
        this.sockets = sockets.toArray(XskSocket[]::new);
        this.rxRings = sockets.stream().map(XskSocket::rx).toArray(RxRing[]::new);
        this.fillRings = sockets.stream().map(XskSocket::fill).toArray(FillRing[]::new);
        this.txSocket = this.sockets[0];
        this.txRing = txSocket.tx();
        this.completion = txSocket.completion();
        this.zeroCopy = txSocket.isZeroCopy();
        // Copy mode: the sendto is what transmits, and the TX ring keeps NEED_WAKEUP set anyway.
        // Without need_wakeup negotiated the flag is never set, so the only safe rule is to kick.
        this.kickAlways = !zeroCopy || !config.needWakeup();
        this.busyPoll = config.busyPollUs() > 0;
        this.busyPollHoldNs = config.busyPollHoldUs() * 1_000L;
        this.lastBusyPollNs = new long[rxRings.length];
        this.fillBatch = config.fillBatch();
        this.maxKicks = config.maxKicksPerTx();
        // Prime every FILL ring with an equal share of half the free frames, at most a ring's worth;
        // the rest stays in the pool: frames in flight through the graph and TX, refills as the
        // rings drain, packets the graph builds (and the FILL rings of ports sharing the UMEM).
        final int share = pool.available() / (2 * fillRings.length);
        for (int q = 0; q < fillRings.length; q++) {
            fill(q, Math.min(fillRings[q].size(), share));
        }
    }

    private static Shared newShared(AfXdpPortConfig config, Umem umem) {
        PacketMemory memory = PacketMemory.of(umem);
        FramePool pool = new FramePool(memory);
        FrameAccounting accounting = config.frameAccounting() ? new FrameAccounting(umem, memory) : null;
        for (int i = memory.frameCount() - 1; i >= 0; i--) {
            final long addr = memory.frameAddress(i);
            if (accounting != null) {
                accounting.initialPool(addr);
            }
            pool.free(addr);
        }
        return new Shared(umem, memory, pool, accounting);
    }

    /**
     * Opens the port: checks the device and queues, allocates the UMEM, creates and binds one
     * socket per queue, primes the FILL rings. Run it in the netdev's network namespace.
     *
     * @throws IllegalArgumentException if the netdev does not exist in this namespace, or a queue
     *         is outside its receive queues
     * @throws io.splitplane.kernel.sys.KernelException naming the syscall that failed (e.g. bind)
     */
    public static AfXdpPort open(AfXdpPortConfig config) {
        Objects.requireNonNull(config, "config");
        checkDevice(config);
        Umem umem = Umem.allocate(new UmemConfig(config.frameCount(), config.chunkSize(), config.headroom(),
                config.hugePages(), false));
        List<XskSocket> sockets = new ArrayList<>();
        try {
            XskSocket owner = XskSocket.create(config.socketConfig(config.queues().getFirst(), true), umem);
            sockets.add(owner);
            for (int i = 1; i < config.queues().size(); i++) {
                sockets.add(XskSocket.createShared(config.socketConfig(config.queues().get(i), false), owner));
            }
            return new AfXdpPort(config, newShared(config, umem), true, sockets);
        } catch (RuntimeException | Error e) {
            closeAll(sockets, umem);
            throw e;
        }
    }

    /**
     * Opens a port on another netdev that shares {@code umemOwner}'s UMEM, free-frame pool and
     * frame accounting: a frame received on one port can be sent on the other without a copy (the
     * two-port forwarding case). Every socket gets its own FILL and COMPLETION rings (another device).
     * The frame geometry, mode, need-wakeup and accounting fields of {@code config} are ignored:
     * the owner's apply. Size the owner's {@code frameCount} for both ports; this port primes its
     * FILL rings with half of what is free in the pool.
     *
     * <p>Both ports must be driven by the same thread (they share a pool): put them in one graph.
     * Close this port before the owner, which owns the UMEM.
     */
    public static AfXdpPort open(AfXdpPortConfig config, AfXdpPort umemOwner) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(umemOwner, "umemOwner");
        if (umemOwner.closed.get()) {
            throw new IllegalStateException("port '" + umemOwner.name() + "' is closed");
        }
        checkDevice(config);
        List<XskSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < config.queues().size(); i++) {
                sockets.add(XskSocket.createShared(config.socketConfig(config.queues().get(i), i == 0),
                        umemOwner.sockets[0]));
            }
            return new AfXdpPort(config, umemOwner.shared, false, sockets);
        } catch (RuntimeException | Error e) {
            for (int i = sockets.size() - 1; i >= 0; i--) {
                sockets.get(i).close();
            }
            throw e;
        }
    }

    private static void checkDevice(AfXdpPortConfig config) {
        NetDevice device = NetDevices.find(config.interfaceName()).orElseThrow(() -> new IllegalArgumentException(
                "netdev '" + config.interfaceName() + "' does not exist in this network namespace"));
        for (int q : config.queues()) {
            if (q >= device.rxQueues()) {
                throw new IllegalArgumentException("queue=" + q + " is out of range for netdev '" + device.name()
                        + "': it has " + device.rxQueues() + " receive queue(s), 0.." + (device.rxQueues() - 1));
            }
        }
    }

    private static void closeAll(List<XskSocket> sockets, Umem umem) {
        try {
            for (int i = sockets.size() - 1; i >= 0; i--) {
                sockets.get(i).close();
            }
        } finally {
            umem.close();
        }
    }

    // ---- hot path (the driving thread) ------------------------------------------------------------------

    @Override
    public int service() {
        int work = reapCompletions();
        final FillRing[] fills = fillRings;
        for (int q = 0; q < fills.length; q++) {
            work += fill(q, pool.available());
            if (fills[q].needsWakeup()) {
                wakeupRx(q);
            }
        }
        if (txRing.pending() > 0) {
            work += kick();
        }
        return work;
    }

    private int reapCompletions() {
        final CompletionRing c = completion;
        final int n = c.peek(BATCH);
        if (n == 0) {
            return 0;
        }
        final FrameAccounting acct = accounting;
        final PacketMemory m = memory;
        for (int i = 0; i < n; i++) {
            final long base = m.chunkBase(c.addr(i));
            if (acct != null) {
                acct.completionToPool(base);
            }
            pool.free(base);
        }
        c.release(n);
        counters.add(PortCounters.COMPLETED, n);
        return n;
    }

    /** Moves up to {@code want} pool frames to FILL ring {@code q}, in batches of at least fillBatch. */
    private int fill(final int q, final int want) {
        final int avail = Math.min(want, pool.available());
        if (avail == 0) {
            return 0;
        }
        final FillRing f = fillRings[q];
        final int n = f.reserve(Math.min(avail, f.size()));
        if (n < fillBatch && n < avail) {
            f.cancel(n);
            return 0;
        }
        final FrameAccounting acct = accounting;
        for (int i = 0; i < n; i++) {
            final long base = pool.allocate();
            if (acct != null) {
                acct.poolToFill(base);
            }
            f.set(i, base);
        }
        f.submit(n);
        counters.add(PortCounters.FILLED, n);
        return n;
    }

    private void wakeupRx(final int q) {
        final int r = sockets[q].wakeupRx();
        counters.add(PortCounters.RX_WAKEUPS, 1);
        if (r < 0) {
            counters.add(PortCounters.KICK_ERRORS, 1);
        }
    }

    @Override
    public int rx(final PacketVector v, final int max, final int portIndex) {
        final int at = v.count();
        final int limit = Math.min(max, v.room());
        final RxRing[] rings = rxRings;
        final int nq = rings.length;
        final FrameAccounting acct = accounting;
        final long[] addr = v.addr;
        final int[] len = v.len;
        int got = 0;
        long bytes = 0;
        int q = nextQueue;
        final long nowNs = busyPoll ? System.nanoTime() : 0;
        for (int s = 0; s < nq && got < limit; s++) {
            final RxRing r = rings[q];
            final int want = limit - got;
            final int n = r.peek(want);
            for (int i = 0; i < n; i++) {
                final long a = r.addr(i);
                final int l = r.len(i);
                if (acct != null) {
                    acct.rxToGraph(a);
                }
                addr[at + got + i] = a;
                len[at + got + i] = l;
                bytes += l;
            }
            r.release(n);
            got += n;
            // Busy polling: poll whenever the ring could not fill the vector, and at least every
            // hold period even when it always can. Each poll re-arms the kernel's ownership of the
            // NAPI (SO_PREFER_BUSY_POLL) for gro_flush_timeout; under overload the ring is always
            // full, and without the hold the timeout expires, the softirq / threaded-NAPI context
            // takes the NAPI back and, running at a higher priority on this core, starves the worker.
            if (busyPoll && (n < want || nowNs - lastBusyPollNs[q] >= busyPollHoldNs)) {
                lastBusyPollNs[q] = nowNs;
                wakeupRx(q);
            }
            q = q + 1 == nq ? 0 : q + 1;
        }
        nextQueue = q;
        if (got == 0) {
            return 0;
        }
        final int[] port = v.port;
        for (int i = at; i < at + got; i++) {
            port[i] = portIndex;
        }
        v.clearMeta(at, got);
        v.count(at + got);
        counters.add(PortCounters.RX_PACKETS, got);
        counters.add(PortCounters.RX_BYTES, bytes);
        return got;
    }

    @Override
    public int tx(final long[] addr, final int[] len, final int off, final int n) {
        final TxRing t = txRing;
        final int k = t.reserve(n);
        final FrameAccounting acct = accounting;
        long bytes = 0;
        for (int i = 0; i < k; i++) {
            final long a = addr[off + i];
            if (acct != null) {
                acct.graphToTx(a);
            }
            t.set(i, a, len[off + i]);
            bytes += len[off + i];
        }
        t.submit(k);
        if (k < n) {
            free(addr, off + k, n - k);
            counters.add(PortCounters.TX_DROPPED, n - k);
        }
        if (k > 0) {
            counters.add(PortCounters.TX_PACKETS, k);
            counters.add(PortCounters.TX_BYTES, bytes);
            kick();
        }
        return k;
    }

    /**
     * Kicks TX when needed: copy mode (or no need_wakeup) always, while the kernel answers EAGAIN
     * (more than one budget waiting), at most maxKicksPerTx calls; zero-copy only when the ring asks.
     */
    private int kick() {
        if (!kickAlways && !txRing.needsWakeup()) {
            return 0;
        }
        int kicks = 0;
        int r;
        do {
            r = txSocket.kickTx();
            kicks++;
        } while (r == XskSocket.KICK_AGAIN && kicks < maxKicks && !zeroCopy);
        counters.add(PortCounters.TX_KICKS, kicks);
        if (r < 0) {
            counters.add(PortCounters.KICK_ERRORS, 1);
        }
        return kicks;
    }

    @Override
    public void free(final long addr) {
        final long base = memory.chunkBase(addr);
        if (accounting != null) {
            accounting.graphToPool(base);
        }
        pool.free(base);
    }

    @Override
    public void free(final long[] addr, final int off, final int n) {
        for (int i = 0; i < n; i++) {
            free(addr[off + i]);
        }
    }

    @Override
    public long allocate() {
        final long base = pool.allocate();
        if (base >= 0 && accounting != null) {
            accounting.poolToGraph(base);
        }
        return base;
    }

    // ---- control ---------------------------------------------------------------------------------------

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public PacketMemory memory() {
        return memory;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    public AfXdpPortConfig config() {
        return config;
    }

    /** The sockets, in {@link AfXdpPortConfig#queues()} order (register them in the steering XSKMAP). */
    public List<XskSocket> sockets() {
        return List.of(sockets);
    }

    /** The socket bound to receive queue {@code queue}. */
    public XskSocket socket(int queue) {
        for (XskSocket s : sockets) {
            if (s.queueId() == queue) {
                return s;
            }
        }
        throw new IllegalArgumentException("port '" + name() + "' has no socket on queue=" + queue + "; queues are "
                + config.queues());
    }

    public Umem umem() {
        return umem;
    }

    /** The free-frame pool (driving thread, or any thread while the port is quiet). */
    public FramePool pool() {
        return pool;
    }

    /** The frame accounting, or null when {@link AfXdpPortConfig#frameAccounting()} is off. */
    public FrameAccounting accounting() {
        return accounting;
    }

    /** Whether the kernel runs the sockets in zero-copy mode. */
    public boolean isZeroCopy() {
        return zeroCopy;
    }

    /** The kernel's counters summed over the port's sockets. */
    public XskStatistics statistics() {
        XskStatistics sum = new XskStatistics(0, 0, 0, 0, 0, 0);
        for (XskSocket s : sockets) {
            XskStatistics x = s.statistics();
            sum = new XskStatistics(sum.rxDropped() + x.rxDropped(), sum.rxInvalidDescs() + x.rxInvalidDescs(),
                    sum.txInvalidDescs() + x.txInvalidDescs(), sum.rxRingFull() + x.rxRingFull(),
                    sum.rxFillRingEmptyDescs() + x.rxFillRingEmptyDescs(), sum.txRingEmptyDescs() + x.txRingEmptyDescs());
        }
        return sum;
    }

    /** Frames on the FILL rings plus the RX rings, right now (quiet port only: for accounting checks). */
    public int framesOnRxRings() {
        int n = 0;
        for (int q = 0; q < sockets.length; q++) {
            n += fillRings[q].pending() + rxRings[q].available();
        }
        return n;
    }

    /** Frames on the TX ring plus the COMPLETION ring, right now (quiet port only). */
    public int framesOnTxRings() {
        return txRing.pending() + completion.available();
    }

    /**
     * Closes the sockets (sharing ones first) and then the UMEM if this port allocated it, once.
     * Stop the driving thread first; close ports sharing this one's UMEM before it.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (ownsUmem) {
                closeAll(List.of(sockets), umem);
            } else {
                for (int i = sockets.length - 1; i >= 0; i--) {
                    sockets[i].close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "AfXdpPort[" + name() + ", dev=" + config.interfaceName() + ", queues=" + config.queues()
                + (zeroCopy ? ", zero-copy" : ", copy") + "]";
    }
}
