package io.splitplane.dataplane.port;

import io.splitplane.kernel.netlink.Napi;
import io.splitplane.kernel.netlink.NetdevGenlSocket;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Interrupt deferral on every NAPI of one netdev, for as long as a busy-polling port runs on it:
 * with {@code napi_defer_hard_irqs} and {@code gro_flush_timeout} set, a socket with
 * SO_PREFER_BUSY_POLL keeps the NAPI between its polls, so the softirq or threaded-NAPI context does
 * not take the forwarding core back (see {@code BusyPollConfig}). Unless told to keep it, it also
 * takes the NAPIs out of threaded mode: a threaded-NAPI kthread that always has work never completes
 * its poll, so the busy poller never gets the NAPI. {@link #close()} puts back what it found.
 *
 * <p>Apply it after the XDP program is attached: veth, for one, has a NAPI only while it has XDP.
 * Runs in the calling thread's network namespace, through the netdev generic netlink family
 * (sysfs would show the namespace that mounted it).
 */
public final class NapiDeferral implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NapiDeferral.class.getName());

    private final String netdev;
    private final List<Napi> previous;
    private boolean closed;

    private NapiDeferral(String netdev, List<Napi> previous) {
        this.netdev = netdev;
        this.previous = previous;
    }

    /**
     * Sets both values on every NAPI of {@code netdev}; on failure puts back those already changed.
     *
     * @throws IllegalStateException if the netdev has no NAPI (no XDP program attached yet)
     */
    public static NapiDeferral apply(String netdev, int deferHardIrqs, long groFlushTimeoutNs, boolean keepThreaded) {
        Objects.requireNonNull(netdev, "netdev");
        try (RtnetlinkSocket rt = RtnetlinkSocket.open(); NetdevGenlSocket genl = NetdevGenlSocket.open()) {
            int ifindex = rt.ifindex(netdev);
            List<Napi> napis = genl.napis(ifindex);
            if (napis.isEmpty()) {
                throw new IllegalStateException("netdev '" + netdev + "' has no NAPI to hold for busy polling"
                        + " (is its XDP program attached?)");
            }
            List<Napi> changed = new ArrayList<>();
            try {
                for (Napi n : napis) {
                    changed.add(n);
                    genl.configureNapi(n.id(), deferHardIrqs, groFlushTimeoutNs);
                    if (!keepThreaded && n.threaded() == 1) {
                        genl.setNapiThreaded(n.id(), false);
                    }
                }
            } catch (RuntimeException e) {
                restore(genl, changed, e);
                throw e;
            }
            LOG.log(System.Logger.Level.INFO, () -> "netdev " + netdev + ": napi_defer_hard_irqs=" + deferHardIrqs
                    + " gro_flush_timeout=" + groFlushTimeoutNs + "ns" + (keepThreaded ? "" : " softirq") + " on NAPI "
                    + napis.stream().map(Napi::id).toList());
            return new NapiDeferral(netdev, List.copyOf(napis));
        }
    }

    /** The NAPIs as they were before, which {@link #close()} restores. */
    public List<Napi> previous() {
        return previous;
    }

    /** Restores what {@link #apply} found; a NAPI that is gone (XDP detached first) is skipped. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (NetdevGenlSocket genl = NetdevGenlSocket.open()) {
            restore(genl, previous, null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "netdev " + netdev + ": could not restore NAPI settings", e);
        }
    }

    private static void restore(NetdevGenlSocket genl, List<Napi> napis, RuntimeException cause) {
        for (Napi n : napis) {
            try {
                genl.configureNapi(n.id(), n.deferHardIrqs(), n.groFlushTimeoutNs());
                if (n.threaded() == 1) {
                    genl.setNapiThreaded(n.id(), true);
                }
            } catch (RuntimeException e) {
                if (cause != null) {
                    cause.addSuppressed(e);
                } else {
                    LOG.log(System.Logger.Level.DEBUG, () -> "NAPI " + n.id() + " of " + n.ifindex()
                            + " not restored: " + e.getMessage());
                }
            }
        }
    }
}
