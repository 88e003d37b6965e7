package io.splitplane.deviceplugin.discovery;

import io.splitplane.kernel.device.NetDevices;
import io.splitplane.kernel.netlink.RtnetlinkEvent;
import io.splitplane.kernel.netlink.RtnetlinkGroup;
import io.splitplane.kernel.netlink.RtnetlinkListener;
import io.splitplane.kernel.netlink.RtnetlinkSubscription;
import io.splitplane.kernel.netns.NetNamespace;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches a network namespace's netdevs: subscribes to link and address events first, scans, and
 * after every burst of events (or a lost-events signal) scans again and hands the complete scan to
 * the consumer. A full scan per burst keeps the logic obviously right (the scan is the truth; no
 * event is applied by hand) and costs a few milliseconds on a node.
 *
 * <p>One platform thread, started inside the namespace, does everything: subscribing, polling,
 * scanning (netlink dump and ethtool) and calling the consumer.
 */
public final class DeviceWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeviceWatcher.class.getName());
    private static final Duration POLL = Duration.ofMillis(100);

    private final Consumer<List<ScannedDevice>> consumer;
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean rescanRequested;
    private volatile RuntimeException startFailure;

    /**
     * Starts watching {@code ns} (null: the caller's namespace). Returns once the first scan has
     * been delivered.
     */
    public DeviceWatcher(NetNamespace ns, Consumer<List<ScannedDevice>> consumer) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        Runnable body = this::run;
        this.thread = ns == null ? Thread.ofPlatform().name("device-watcher").daemon(true).unstarted(body)
                : ns.threadFactory("device-watcher").newThread(body);
        thread.setDaemon(true);
        thread.start();
        try {
            if (!started.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the device watcher did not start within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the device watcher", e);
        }
        if (startFailure != null) {
            throw startFailure;
        }
    }

    private void run() {
        RtnetlinkSubscription subscription;
        try {
            // Subscribe before the first scan, so no change between the two is missed.
            subscription = RtnetlinkSubscription.open(EnumSet.of(RtnetlinkGroup.LINK, RtnetlinkGroup.IPV4_IFADDR,
                    RtnetlinkGroup.IPV6_IFADDR), 4 << 20);
            scan();
        } catch (RuntimeException e) {
            startFailure = e;
            started.countDown();
            return;
        }
        started.countDown();
        Listener listener = new Listener();
        try (subscription) {
            while (running) {
                listener.dirty = false;
                try {
                    subscription.poll(listener, POLL);
                    if ((listener.dirty || rescanRequested) && running) {
                        rescanRequested = false;
                        scan();
                    }
                } catch (RuntimeException e) {
                    // A device vanishing mid-scan, say: scan again on the next round.
                    rescanRequested = true;
                    LOG.log(Level.WARNING, "event=scan_failed error=\"" + e.getMessage() + "\"", e);
                }
            }
        }
    }

    private void scan() {
        consumer.accept(NetDevices.list().stream().map(ScannedDevice::of).toList());
    }

    /** Asks for a scan soon (after a config change), from any thread. */
    public void rescan() {
        rescanRequested = true;
    }

    private static final class Listener implements RtnetlinkListener {
        boolean dirty;

        @Override
        public void onEvent(RtnetlinkEvent event) {
            if (event instanceof RtnetlinkEvent.LinkChanged || event instanceof RtnetlinkEvent.LinkRemoved
                    || event instanceof RtnetlinkEvent.AddressAdded || event instanceof RtnetlinkEvent.AddressRemoved) {
                dirty = true;
            }
        }

        @Override
        public void onResyncNeeded() {
            dirty = true;
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(POLL.toMillis() * 20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
