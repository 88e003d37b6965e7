package io.splitplane.deviceplugin.handover;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.handover.HandoverAnswer;
import io.splitplane.api.handover.HandoverRequest;
import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.unix.PeerCredentials;
import io.splitplane.kernel.unix.SeqpacketMessage;
import io.splitplane.kernel.unix.SeqpacketSocket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The XSKMAP hand-over for one allocation of a {@code uds} pool: a SOCK_SEQPACKET socket in the
 * allocation's own directory (mounted into the container only), on which a pod asks for the map of
 * one of its netdevs ({@link HandoverRequest}) and receives the map's fd with SCM_RIGHTS
 * ({@link HandoverAnswer}). The pod never needs CAP_BPF or access to bpffs.
 *
 * <p>Before answering, the server checks the claim: the netdev must be part of this allocation,
 * and the kubelet (PodResources) must say that the named pod holds it. Every request gets an
 * answer; a refused or failed one carries no fd and says why.
 *
 * <p>One platform thread serves connections one at a time (a pod asks once per netdev at start);
 * {@link #close} stops it and removes the socket and its directory.
 */
public final class HandoverServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HandoverServer.class.getName());
    private static final Duration ACCEPT_POLL = Duration.ofMillis(100);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final String allocation;
    private final String resource;
    private final List<String> netdevs;
    private final XskMapPaths maps;
    private final PodCheck pods;
    private final BiConsumer<String, HandoverAnswer.Status> outcomes;
    private final Path directory;
    private final SeqpacketSocket listener;
    private final Thread thread;
    private final long startedNanos = System.nanoTime();
    private volatile boolean running = true;

    /**
     * Creates {@code socket}'s directory and starts serving.
     *
     * @param allocation names the allocation in logs
     * @param resource   the pool's resource name ({@code afxdp/<pool>}) the pod must hold the netdev under
     * @param netdevs    the netdevs of this allocation
     * @param outcomes   told the netdev (or null) and status of every answer, for metrics
     */
    public HandoverServer(String allocation, Path socket, String resource, List<String> netdevs, XskMapPaths maps,
                          PodCheck pods, BiConsumer<String, HandoverAnswer.Status> outcomes) {
        this.allocation = allocation;
        this.resource = resource;
        this.netdevs = List.copyOf(netdevs);
        this.maps = maps;
        this.pods = pods;
        this.outcomes = outcomes;
        this.directory = socket.getParent();
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare hand-over directory " + directory + ": " + e, e);
        }
        this.listener = SeqpacketSocket.listen(socket, 16);
        try {
            // The pod's processes may run as any user: anyone who can see the socket may ask; the
            // answer depends on who they claim to be and what the kubelet says.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw new IllegalStateException("cannot set permissions on " + socket + ": " + e, e);
        }
        this.thread = Thread.ofPlatform().name("handover-" + allocation).daemon(true).start(this::serve);
    }

    private void serve() {
        while (running) {
            try {
                Optional<SeqpacketSocket> accepted = listener.accept(ACCEPT_POLL);
                if (accepted.isPresent()) {
                    try (SeqpacketSocket connection = accepted.get()) {
                        converse(connection);
                    }
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.log(Level.WARNING, "event=handover_failed allocation=" + allocation + " error=\""
                            + e.getMessage() + "\"", e);
                }
            }
        }
    }

    private void converse(SeqpacketSocket connection) {
        PeerCredentials peer = connection.peerCredentials();
        while (running) {
            Optional<SeqpacketMessage> m = connection.receive(HandoverRequest.MAX_BYTES, REQUEST_TIMEOUT);
            if (m.isEmpty() || m.get().data().length == 0) {
                return; // silent or gone
            }
            answer(connection, peer, m.get());
        }
    }

    private void answer(SeqpacketSocket connection, PeerCredentials peer, SeqpacketMessage message) {
        message.fd().ifPresent(fd -> fd.close()); // a request carries no fd; never keep one
        HandoverRequest request;
        try {
            if (message.truncated()) {
                throw new InvalidConfigException("request", "", "longer than " + HandoverRequest.MAX_BYTES + " bytes");
            }
            request = ConfigJson.read(new String(message.data(), StandardCharsets.UTF_8), HandoverRequest.class,
                    "request");
        } catch (InvalidConfigException e) {
            reply(connection, peer, null, HandoverAnswer.error(null, e.getMessage()), null);
            return;
        }
        String netdev = request.netdev();
        if (!netdevs.contains(netdev)) {
            reply(connection, peer, request, HandoverAnswer.refused(netdev, "netdev " + netdev
                    + " is not part of this allocation (" + String.join(", ", netdevs) + ")"), null);
            return;
        }
        boolean holds;
        try {
            holds = pods.holds(request.namespace(), request.pod(), resource, netdev);
        } catch (RuntimeException e) {
            reply(connection, peer, request, HandoverAnswer.error(netdev, "cannot ask the kubelet which pod holds "
                    + netdev + ": " + e.getMessage()), null);
            return;
        }
        if (!holds) {
            reply(connection, peer, request, HandoverAnswer.refused(netdev, "pod " + request.namespace() + "/"
                    + request.pod() + " does not hold " + netdev + " of " + resource), null);
            return;
        }
        Path pinned = maps.hostMap(netdev);
        BpfMap map;
        try {
            map = BpfMap.openPinned(pinned);
        } catch (RuntimeException e) {
            reply(connection, peer, request, HandoverAnswer.error(netdev, "no XSKMAP pinned at " + pinned
                    + " (has the CNI set up " + netdev + "?): " + e.getMessage()), null);
            return;
        }
        try (map) {
            if (map.type() != BpfMap.TYPE_XSKMAP) {
                reply(connection, peer, request, HandoverAnswer.error(netdev, "the map pinned at " + pinned
                        + " is not an XSKMAP (type " + map.type() + ")"), null);
                return;
            }
            reply(connection, peer, request, HandoverAnswer.ok(netdev), map);
        }
    }

    private void reply(SeqpacketSocket connection, PeerCredentials peer, HandoverRequest request,
                       HandoverAnswer answer, BpfMap map) {
        byte[] bytes = ConfigJson.write(answer).getBytes(StandardCharsets.UTF_8);
        if (map == null) {
            connection.send(bytes);
        } else {
            connection.send(bytes, map.fd());
        }
        outcomes.accept(answer.netdev(), answer.status());
        LOG.log(answer.status() == HandoverAnswer.Status.OK ? Level.INFO : Level.WARNING,
                "event=handover allocation=" + allocation + " status=" + answer.status().json()
                        + " netdev=" + answer.netdev() + " peer_pid=" + peer.pid() + " peer_uid=" + peer.uid()
                        + (request == null ? "" : " pod=" + request.namespace() + "/" + request.pod())
                        + (answer.reason() == null ? "" : " reason=\"" + answer.reason() + "\""));
    }

    public String allocation() {
        return allocation;
    }

    public List<String> netdevs() {
        return netdevs;
    }

    public Path socket() {
        return listener.path();
    }

    /** The resource the allocation is of ({@code afxdp/<pool>}). */
    public String resource() {
        return resource;
    }

    /** How long the server has been up. */
    public java.time.Duration age() {
        return java.time.Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(ACCEPT_POLL.toMillis() * 10 + REQUEST_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
        try {
            Files.deleteIfExists(listener.path());
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "event=handover_cleanup_failed directory=" + directory + " error=\"" + e + "\"");
        }
    }
}
