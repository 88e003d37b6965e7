package io.splitplane.dataplane.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Sends one command to a {@link ControlServer} and returns its answer (see there for the protocol). */
public final class ControlClient {
    /** What the server answered: {@code ok} with the output, or not with the error message. */
    public record Reply(boolean ok, String text) {
    }

    private ControlClient() {
    }

    /** Runs {@code command} on the dataplane serving {@code socket}. */
    public static Reply send(Path socket, String command) throws IOException {
        if (command.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a command is one line");
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                c.write(out);
            }
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (c.read(in) >= 0) {
                reply.write(in.array(), 0, in.position());
                in.clear();
            }
            String text = reply.toString(StandardCharsets.UTF_8);
            if (text.startsWith("OK\n")) {
                return new Reply(true, text.substring(3));
            }
            if (text.startsWith("ERR\n")) {
                return new Reply(false, text.substring(4).strip());
            }
            throw new IOException("not a splitplane control socket answer: '" + abbreviate(text) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
