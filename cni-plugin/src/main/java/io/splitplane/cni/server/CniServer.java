package io.splitplane.cni.server;

import io.splitplane.cni.CniException;
import io.splitplane.cni.Plugin;
import io.splitplane.kernel.netns.NetNamespace;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CNI plugin served from a long-running node process (the "thick plugin" shape): the launcher
 * sends each call over a unix socket ({@link HttpCall}) instead of starting a JVM for it, and the
 * call runs the same {@link Plugin} code in this process. The answer is exactly what the plugin
 * would print on stdout, with status 200 for exit status 0 and 500 for 1.
 *
 * <p>Every call runs on a platform thread of its own that ends with the call: plugin code enters pod
 * namespaces only on threads it starts for that ({@link NetNamespace#call}), and a thread that ended
 * up elsewhere all the same must never serve another call. At most {@code maxCalls} run at once (the
 * next connections wait in the socket's backlog); a call that takes longer than {@code timeout} is
 * answered with code 11 (try again later) and its connection closed, while its thread runs to its
 * end (stopping it half-way would leave a device half-moved; the state lock keeps the next call for
 * that device waiting until it is done).
 *
 * <p>The socket is created mode 0600 in a directory this process creates mode 0700 if it is missing;
 * a stale socket file left by a server that died is replaced, a live one is refused.
 * {@link #close()} stops accepting, removes the socket and waits briefly for the calls running.
 */
public final class CniServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CniServer.class.getName());
    public static final int DEFAULT_MAX_CALLS = 8;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

    private final Path socket;
    private final ServerSocketChannel listener;
    private final Semaphore slots;
    private final int maxCalls;
    private final Duration timeout;
    private final long hostNamespace;
    private final ScheduledExecutorService watchdog;
    private final Thread acceptor;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private CniServer(Path socket, ServerSocketChannel listener, int maxCalls, Duration timeout, long hostNamespace) {
        this.socket = socket;
        this.listener = listener;
        this.maxCalls = maxCalls;
        this.slots = new Semaphore(maxCalls);
        this.timeout = timeout;
        this.hostNamespace = hostNamespace;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("cni-call-timeout").daemon(true).unstarted(r));
        this.acceptor = Thread.ofPlatform().name("cni-server " + socket).daemon(true).unstarted(this::acceptLoop);
    }

    /** Listens on {@code socket} and serves calls until {@link #close()}. */
    public static CniServer start(Path socket, int maxCalls, Duration timeout) {
        if (maxCalls < 1) {
            throw new IllegalArgumentException("maxCalls must be at least 1, not " + maxCalls);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the call timeout must be positive, not " + timeout);
        }
        Path path = socket.toAbsolutePath().normalize();
        ServerSocketChannel listener = null;
        Path fresh = path.resolveSibling(path.getFileName() + ".new-" + ProcessHandle.current().pid());
        try {
            Path dir = path.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            removeStale(path);
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            // Bound under a temporary name and renamed once it is 0600: the socket never appears at its
            // path with the umask's mode, and the launcher never finds it before it accepts.
            Files.deleteIfExists(fresh);
            listener.bind(UnixDomainSocketAddress.of(fresh));
            Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rw-------"));
            Files.move(fresh, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long host;
            try (NetNamespace ns = NetNamespace.current()) {
                host = ns.inode();
            }
            CniServer server = new CniServer(path, listener, maxCalls, timeout, host);
            server.acceptor.start();
            LOG.log(Level.INFO, () -> "serving CNI calls on " + path + " (at most " + maxCalls + " at once, "
                    + timeout.toSeconds() + " s each)");
            return server;
        } catch (IOException e) {
            if (listener != null) {
                try {
                    listener.close();
                    Files.deleteIfExists(fresh);
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw new UncheckedIOException("cannot serve CNI calls on " + path + ": " + e.getMessage(), e);
        }
    }

    /** A socket file nobody listens on is left over from a server that died: removed. */
    private static void removeStale(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || Files.isSymbolicLink(path)) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new IOException("another server listens on " + path);
        } catch (java.net.ConnectException e) {
            LOG.log(Level.INFO, () -> "replacing the stale socket " + path);
            Files.delete(path);
        }
    }

    /** Where it listens. */
    public Path socket() {
        return socket;
    }

    /** Calls answered so far (tests and logs). */
    public long callsServed() {
        return calls.get();
    }

    private void acceptLoop() {
        while (!closed.get()) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel connection;
            try {
                connection = listener.accept();
            } catch (ClosedChannelException e) {
                slots.release();
                return;
            } catch (IOException e) {
                slots.release();
                LOG.log(Level.ERROR, "accept on " + socket + " failed", e);
                continue;
            }
            long n = calls.incrementAndGet();
            try {
                Thread.ofPlatform().name("cni-call-" + n).daemon(true).start(() -> serve(connection));
            } catch (RuntimeException | Error e) {
                slots.release();
                closeQuietly(connection);
                LOG.log(Level.ERROR, "cannot start a thread for a CNI call", e);
            }
        }
    }

    /** One connection, on its own thread: read, run the plugin, answer, close. */
    private void serve(SocketChannel connection) {
        long acceptedNs = System.nanoTime();
        AtomicBoolean answered = new AtomicBoolean();
        String thread = Thread.currentThread().getName();
        ScheduledFuture<?> deadline = watchdog.schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                LOG.log(Level.ERROR, thread + ": a CNI call took longer than " + timeout.toSeconds()
                        + " s; answering 'try again later' and leaving it to finish");
                writeQuietly(connection, 500, errorJson(CniException.TRY_AGAIN_LATER, "the call timed out",
                        "no answer within " + timeout.toSeconds() + " s; it may still complete"));
                // Also ends a read that waits for a client that never sends its request.
                closeQuietly(connection);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            InputStream in = new BufferedInputStream(Channels.newInputStream(connection));
            OutputStream out = Channels.newOutputStream(connection);
            HttpCall call;
            try {
                call = HttpCall.read(in, out);
            } catch (MalformedRequestException e) {
                LOG.log(Level.WARNING, () -> "refused a malformed request: " + e.getMessage());
                if (answered.compareAndSet(false, true)) {
                    writeQuietly(connection, 400, errorJson(CniException.DECODING_FAILURE,
                            "malformed request to the splitplane CNI server", e.getMessage()));
                }
                return;
            }
            long readNs = System.nanoTime();
            ByteArrayOutputStream answer = new ByteArrayOutputStream(1024);
            int exit;
            try (PrintStream stdout = new PrintStream(answer, false, StandardCharsets.UTF_8)) {
                exit = new Plugin(call.environment(), stdout).run(call.stdin());
            }
            long ranNs = System.nanoTime();
            if (answered.compareAndSet(false, true)) {
                writeQuietly(connection, exit == 0 ? 200 : 500, answer.toByteArray());
            }
            long answeredNs = System.nanoTime();
            LOG.log(Level.DEBUG, () -> thread + ": request read in " + (readNs - acceptedNs) / 1000 + " us, run in "
                    + (ranNs - readNs) / 1000 + " us, answered in " + (answeredNs - ranNs) / 1000 + " us");
        } catch (IOException e) {
            if (!answered.get()) {
                LOG.log(Level.WARNING, () -> "a CNI call's connection failed: " + e);
            }
        } finally {
            deadline.cancel(false);
            closeQuietly(connection);
            checkStillInHost();
            slots.release();
        }
    }

    /** The thread ends now whatever this says; a thread elsewhere would be a bug in a namespace switch. */
    private void checkStillInHost() {
        try (NetNamespace ns = NetNamespace.current()) {
            if (ns.inode() != hostNamespace) {
                LOG.log(Level.ERROR, Thread.currentThread().getName() + " ended in network namespace inode "
                        + ns.inode() + ", not the host's (" + hostNamespace + "); the thread is not reused");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "cannot read the network namespace of " + Thread.currentThread().getName(), e);
        }
    }

    private static byte[] errorJson(int code, String msg, String details) {
        com.fasterxml.jackson.databind.node.ObjectNode err =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        err.put("cniVersion", io.splitplane.cni.CniVersion.CURRENT);
        err.put("code", code);
        err.put("msg", msg);
        err.put("details", details);
        return (err + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void writeQuietly(SocketChannel connection, int status, byte[] body) {
        try {
            HttpCall.respond(Channels.newOutputStream(connection), status, body);
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "cannot answer a CNI call (the client left?): " + e);
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    /** Blocks until {@link #close()} (the standalone server's main thread). */
    public void awaitClose() throws InterruptedException {
        acceptor.join();
    }

    /**
     * Stops accepting, removes the socket (the launcher then falls back to starting a JVM per call),
     * and waits up to 30 s for the calls still running.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "closing " + socket + ": " + e);
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "cannot remove " + socket + ": " + e);
        }
        acceptor.interrupt();
        try {
            acceptor.join(CLOSE_GRACE.toMillis());
            if (slots.tryAcquire(maxCalls, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                slots.release(maxCalls);
            } else {
                LOG.log(Level.WARNING, () -> "calls still running after " + CLOSE_GRACE.toSeconds() + " s; not waiting");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
        LOG.log(Level.INFO, () -> "stopped serving CNI calls on " + socket + " after " + calls.get() + " calls");
    }
}
