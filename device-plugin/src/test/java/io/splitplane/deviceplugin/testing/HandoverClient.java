package io.splitplane.deviceplugin.testing;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.handover.HandoverAnswer;
import io.splitplane.api.handover.HandoverRequest;
import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import io.splitplane.kernel.xdp.AfXdp;
import io.splitplane.kernel.unix.SeqpacketMessage;
import io.splitplane.kernel.unix.SeqpacketSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a pod does to get its XSKMAP over the hand-over socket, as a program of its own (tests run
 * it in a separate process): {@code HandoverClient SOCKET POD NAMESPACE NETDEV}. With the received
 * fd it reads the map's info, inserts an AF_XDP socket of its own at key 0 and tries a descriptor
 * that is no AF_XDP socket (an XSKMAP refuses it with EOPNOTSUPP). Prints one line:
 * {@code ok id=<map id> type=<map type> insert=done non-xsk=<errno>}, or {@code <status> <reason>}.
 * Exit code 0 for ok, 3 otherwise.
 */
public final class HandoverClient {
    private HandoverClient() {
    }

    private static byte[] littleEndian(int value) {
        return new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)};
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: HandoverClient SOCKET POD NAMESPACE NETDEV");
            System.exit(2);
        }
        try (SeqpacketSocket socket = SeqpacketSocket.connect(Path.of(args[0]))) {
            socket.send(ConfigJson.write(HandoverRequest.of(args[1], args[2], args[3]))
                    .getBytes(StandardCharsets.UTF_8));
            SeqpacketMessage m = socket.receive(4096, Duration.ofSeconds(10))
                    .orElseThrow(() -> new IllegalStateException("no answer within 10 s"));
            HandoverAnswer answer = ConfigJson.read(new String(m.data(), StandardCharsets.UTF_8), HandoverAnswer.class,
                    "answer");
            if (answer.status() != HandoverAnswer.Status.OK) {
                m.fd().ifPresent(fd -> fd.close());
                System.out.println(answer.status().json() + " " + answer.reason());
                System.exit(3);
            }
            try (BpfMap map = BpfMap.fromFd(m.fd().orElseThrow(() -> new IllegalStateException("ok without an fd")));
                 FileDescriptor xsk = new FileDescriptor(Libc.socket("socket(AF_XDP)", AfXdp.AF_XDP,
                         AfXdp.SOCK_RAW | AfXdp.SOCK_CLOEXEC, 0), "AF_XDP socket")) {
                // What a pod does with the map: put its AF_XDP socket in the slot of its queue.
                map.update(new byte[4], littleEndian(xsk.get()));
                String wrongFd;
                try (FileDescriptor unix = new FileDescriptor(Libc.socket("socket(AF_UNIX)", 1, 2, 0), "unix socket")) {
                    map.update(new byte[4], littleEndian(unix.get())); // a socket, but no AF_XDP one
                    wrongFd = "accepted";
                } catch (KernelException e) {
                    wrongFd = Errno.name(e.errno());
                }
                System.out.println("ok id=" + map.id() + " type=" + map.type() + " insert=done non-xsk=" + wrongFd);
            }
        }
    }
}
