package io.splitplane.dataplane.punt;

import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.port.Port;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * {@code punt}: gives packets back to the kernel stack of the port they came in on. Every packet
 * arrives here at its L3 header with its original Ethernet header in the 14 bytes before it (the
 * nodes that punt do so before {@code ip4-rewrite} touches a header, and {@code eth-input} steps past
 * the Ethernet header before punting too), and its reason in {@code meta1}. Per packet: count the
 * reason, write the whole frame to the port's {@link KernelInjector} (one {@code write} syscall, from
 * the UMEM frame itself), give the frame back to its port. The kernel copies the bytes during the
 * write, so the frame is free again at once: nothing is held, nothing allocated.
 *
 * <p>A port without an injector (an in-memory port, or a port whose classifier runs in generic XDP
 * mode, see {@link PuntPath}) counts {@code no-kernel-path} and drops; an injector that refuses
 * (the kernel's backlog is full: EAGAIN/ENOBUFS) counts {@code inject-failed}.
 *
 * <pre>
 *   next:   0 drop (unused: every packet is consumed here)
 *   errors: one per {@link PuntReason}, then no-kernel-path, inject-failed
 * </pre>
 */
public final class PuntNode extends Node {
    public static final String NAME = "punt";
    public static final int ERR_NO_KERNEL_PATH = PuntReason.COUNT;
    public static final int ERR_INJECT_FAILED = PuntReason.COUNT + 1;
    public static final int ERR_RATE_LIMITED = PuntReason.COUNT + 2;
    /** Punts per second per worker unless told otherwise: about a tenth of a core in syscalls. */
    public static final long DEFAULT_MAX_PER_SECOND = 100_000;
    /** Bytes of Ethernet header before the packet's {@code addr}. */
    public static final int L2 = 14;

    private final Map<String, ? extends KernelInjector> injectorsByPortName;
    private final LongSupplier nanoClock;
    private final double tokensPerNano;
    private final double burst;
    private double tokens;
    private long lastRefillNs;
    private KernelInjector[] injectors = new KernelInjector[0];
    private Port[] ports = new Port[0];
    private long base;

    /**
     * @param injectorsByPortName the kernel path of each port, by port name (ports not listed have none)
     */
    public PuntNode(final Map<String, ? extends KernelInjector> injectorsByPortName) {
        this(injectorsByPortName, DEFAULT_MAX_PER_SECOND, System::nanoTime);
    }

    /**
     * @param maxPerSecond punts per second this graph hands the kernel at most
     * @param nanoClock    the clock the bucket refills by ({@code System::nanoTime}; tests pass their own)
     */
    public PuntNode(final Map<String, ? extends KernelInjector> injectorsByPortName, final long maxPerSecond,
                    final LongSupplier nanoClock) {
        super(NAME, List.of(DROP_NODE), nodeErrors());
        if (maxPerSecond <= 0) {
            throw new IllegalArgumentException("maxPerSecond=" + maxPerSecond + " must be > 0");
        }
        this.injectorsByPortName = Map.copyOf(Objects.requireNonNull(injectorsByPortName, "injectorsByPortName"));
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.tokensPerNano = maxPerSecond / 1e9;
        this.burst = Math.max(PacketVector.CAPACITY, maxPerSecond / 10.0);
        this.tokens = burst;
        this.lastRefillNs = nanoClock.getAsLong();
    }

    private static List<NodeError> nodeErrors() {
        List<NodeError> e = new ArrayList<>(PuntReason.counters());
        e.add(NodeError.of("no-kernel-path", "punted packet dropped: its port has no way into the kernel"));
        e.add(NodeError.of("inject-failed", "punted packet dropped: the kernel refused the frame (backlog full)"));
        e.add(NodeError.of("rate-limited", "punted packet dropped: over the worker's punt rate"));
        return e;
    }

    @Override
    protected void onBuild(final Graph graph) {
        final MemorySegment m = graph.memory().segment();
        base = m.address();
        ports = graph.ports().toArray(Port[]::new);
        injectors = new KernelInjector[ports.length];
        for (int p = 0; p < ports.length; p++) {
            injectors[p] = injectorsByPortName.get(ports[p].name());
        }
    }

    @Override
    protected int process(final PacketVector v, final int[] nexts) {
        final long[] addr = v.addr;
        final int[] len = v.len;
        final int[] port = v.port;
        final int[] reason = v.meta1;
        final KernelInjector[] inj = injectors;
        final Port[] owners = ports;
        // Refill once per vector: one clock read, whatever the vector's size.
        final long now = nanoClock.getAsLong();
        double t = Math.min(burst, tokens + (now - lastRefillNs) * tokensPerNano);
        lastRefillNs = now;
        for (int i = 0, n = v.count(); i < n; i++) {
            final int r = reason[i];
            countError(r >= 0 && r < PuntReason.COUNT ? r : PuntReason.ROUTE, 1);
            final int p = port[i];
            final KernelInjector k = p >= 0 && p < inj.length ? inj[p] : null;
            if (k == null) {
                countError(ERR_NO_KERNEL_PATH, 1);
            } else if (t < 1) {
                countError(ERR_RATE_LIMITED, 1);
            } else {
                t -= 1;
                if (k.inject(base + addr[i] - L2, len[i] + L2) < 0) {
                    countError(ERR_INJECT_FAILED, 1);
                }
            }
            if (p >= 0 && p < owners.length) {
                owners[p].free(addr[i]);
            }
        }
        tokens = t;
        return CONSUMED;
    }
}
