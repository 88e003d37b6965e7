package io.splitplane.dataplane.port;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.splitplane.kernel.bpf.BpfException;
import io.splitplane.kernel.bpf.BpfMap;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A port's sockets in an XSKMAP that someone else pinned: the pod side of the hand-over, where the
 * CNI plugin attached the classifier and pinned its XSKMAP into a directory the device plugin
 * mounted into the pod. Slot {@code q} gets the socket bound to rx queue {@code q}; {@link #close()}
 * empties the slots again, so the classifier passes that traffic to the kernel instead of into a
 * socket that is gone.
 */
public final class XskMapRegistration implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(XskMapRegistration.class.getName());

    private final Path path;
    private final BpfMap map;
    private final List<Integer> queues;
    private boolean closed;

    private XskMapRegistration(Path path, BpfMap map, List<Integer> queues) {
        this.path = path;
        this.map = map;
        this.queues = queues;
    }

    /**
     * Opens the pinned map and puts each of the port's sockets into the slot of its queue; on any
     * failure the slots already written are emptied and the map is closed.
     *
     * @throws IllegalArgumentException if nothing is pinned there, or the pin is not an XSKMAP
     */
    public static XskMapRegistration register(Path path, AfXdpPort port) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(port, "port");
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("xskMap " + path + " does not exist (is the pool's pin directory"
                    + " mounted, and did the CNI plugin attach the classifier?)");
        }
        BpfMap map = BpfMap.openPinned(path);
        List<Integer> done = new ArrayList<>();
        try {
            if (map.type() != BpfMap.TYPE_XSKMAP) {
                throw new IllegalArgumentException("xskMap " + path + " is a BPF map of type " + map.type()
                        + ", not an XSKMAP (" + BpfMap.TYPE_XSKMAP + ")");
            }
            for (int q : port.config().queues()) {
                if (q >= map.maxEntries()) {
                    throw new IllegalArgumentException("xskMap " + path + " has " + map.maxEntries()
                            + " slots; port '" + port.name() + "' binds queue " + q);
                }
                try (Arena arena = Arena.ofConfined()) {
                    map.update(arena.allocateFrom(JAVA_INT, q), arena.allocateFrom(JAVA_INT, port.socket(q).fd()),
                            BpfMap.ANY);
                }
                done.add(q);
            }
            LOG.log(System.Logger.Level.INFO, () -> "port " + port.name() + ": sockets of queues " + done + " in "
                    + path);
            return new XskMapRegistration(path, map, List.copyOf(done));
        } catch (RuntimeException e) {
            clear(map, done, e);
            map.close();
            throw e;
        }
    }

    /** The queues whose slots hold this port's sockets. */
    public List<Integer> queues() {
        return queues;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            clear(map, queues, null);
        } finally {
            map.close();
        }
    }

    private static void clear(BpfMap map, List<Integer> queues, RuntimeException cause) {
        for (int q : queues) {
            try (Arena arena = Arena.ofConfined()) {
                map.delete(arena.allocateFrom(JAVA_INT, q));
            } catch (BpfException e) {
                if (cause != null) {
                    cause.addSuppressed(e);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "could not empty slot " + q + " of an XSKMAP", e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "XskMapRegistration[" + path + ", queues=" + queues + "]";
    }
}
