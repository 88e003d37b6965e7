package io.splitplane.e2e;

import io.splitplane.kernel.netns.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A UDP client of an echo service: from one namespace it sends numbered datagrams of varying length
 * to a server, at most {@code window} unanswered, and checks that each answer is the datagram it
 * sent, in order. It stops at the first answer missing for a second or differing.
 */
final class UdpEchoClient {
    /** What the run saw. */
    record Report(int sent, int echoed, String firstProblem, long nanos) {
        boolean allEchoed() {
            return firstProblem == null && echoed == sent;
        }

        @Override
        public String toString() {
            return String.format("%,d datagrams sent, %,d echoed intact and in order in %.0f ms%s", sent, echoed,
                    nanos / 1e6, firstProblem == null ? "" : "; " + firstProblem);
        }
    }

    private UdpEchoClient() {
    }

    static Report run(String namespace, InetSocketAddress server, int count, int window) {
        try (NetNamespace ns = NetNamespace.open(namespace);
             DatagramSocket socket = ns.call(() -> new DatagramSocket(new InetSocketAddress(0)))) {
            socket.connect(server);
            socket.setSoTimeout(1_000);
            byte[] answer = new byte[2048];
            DatagramPacket in = new DatagramPacket(answer, answer.length);
            long start = System.nanoTime();
            int sent = 0;
            int echoed = 0;
            while (echoed < count) {
                while (sent < count && sent - echoed < window) {
                    byte[] p = payload(sent);
                    socket.send(new DatagramPacket(p, p.length));
                    sent++;
                }
                try {
                    socket.receive(in);
                } catch (SocketTimeoutException e) {
                    return new Report(sent, echoed, "no echo of datagram " + echoed + " within 1 s",
                            System.nanoTime() - start);
                }
                byte[] expected = payload(echoed);
                if (!Arrays.equals(answer, 0, in.getLength(), expected, 0, expected.length)) {
                    return new Report(sent, echoed, "the echo of datagram " + echoed + " differs ("
                            + in.getLength() + " bytes, sent " + expected.length + ")", System.nanoTime() - start);
                }
                echoed++;
            }
            return new Report(sent, echoed, null, System.nanoTime() - start);
        } catch (IOException e) {
            throw new UncheckedIOException("echo client in " + namespace + " to " + server, e);
        }
    }

    /** Datagram {@code seq}: its number, then a pattern; 16 to 1,215 bytes. */
    static byte[] payload(long seq) {
        byte[] p = new byte[16 + (int) (seq * 37 % 1200)];
        ByteBuffer.wrap(p).putLong(seq);
        for (int i = 8; i < p.length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }
}
