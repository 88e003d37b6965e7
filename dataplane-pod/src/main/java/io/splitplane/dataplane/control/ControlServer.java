package io.splitplane.dataplane.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The control socket: a unix stream socket answering one command per connection from a
 * {@link CommandRegistry}.
 *
 * <h2>Protocol</h2>
 * The client sends one line (the command, UTF-8, ending with {@code \n}, at most
 * {@value #MAX_REQUEST_BYTES} bytes). The server answers {@code OK\n} followed by the command's output,
 * or {@code ERR\n} followed by a one-line message, and closes the connection. Text both ways, so
 * {@code echo 'show runtime' | socat - UNIX:/run/splitplane/r1.sock} works too.
 *
 * <p>Each connection is served on a virtual thread (commands read snapshots; none touches a network
 * namespace, so no thread's namespace matters here). The socket file is created with the process's
 * umask in a directory made if missing; a stale file from a dead process is replaced, a live server on
 * the same path is an error.
 */
public final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());
    static final int MAX_REQUEST_BYTES = 4096;

    private final Path path;
    private final CommandRegistry commands;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path path, CommandRegistry commands, ServerSocketChannel server) {
        this.path = path;
        this.commands = commands;
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("control-" + path.getFileName()).daemon().unstarted(this::accept);
    }

    /**
     * Listens on {@code path}.
     *
     * @throws UncheckedIOException when the socket cannot be made, or another server answers there
     */
    public static ControlServer start(Path path, CommandRegistry commands) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(commands, "commands");
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            if (Files.exists(path)) {
                if (answers(path)) {
                    throw new IOException("another process serves the control socket " + path);
                }
                Files.delete(path); // left behind by a process that died
            }
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(path));
            } catch (IOException e) {
                server.close();
                throw e;
            }
            ControlServer s = new ControlServer(path, commands, server);
            s.acceptor.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("control socket " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean answers(Path path) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return c.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    private void accept() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "event=control-accept-failed socket=" + path, e);
                }
                return;
            }
            Thread.ofVirtual().name("control-request").start(() -> serve(c));
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            String line = readLine(c);
            String reply;
            if (line == null) {
                reply = "ERR\nrequest longer than " + MAX_REQUEST_BYTES + " bytes or not ended by a newline\n";
            } else {
                try {
                    reply = "OK\n" + commands.execute(line);
                } catch (IllegalArgumentException e) {
                    reply = "ERR\n" + e.getMessage() + "\n";
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "event=control-command-failed command=\"" + line + "\"", e);
                    reply = "ERR\ncommand failed: " + e + "\n";
                }
            }
            ByteBuffer out = ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                c.write(out);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "event=control-client-gone socket=" + path, e);
        }
    }

    /** The request line without its newline, or null if none came within the size limit. */
    private static String readLine(SocketChannel c) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        while (in.hasRemaining()) {
            if (c.read(in) < 0) {
                break;
            }
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    return new String(in.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    /** Stops accepting, and removes the socket file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
            acceptor.join(2000);
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "event=control-close-failed socket=" + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ControlServer[" + path + "]";
    }
}
