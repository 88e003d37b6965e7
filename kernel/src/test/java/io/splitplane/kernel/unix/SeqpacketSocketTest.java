package io.splitplane.kernel.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import io.splitplane.kernel.testing.CHeaderProbe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeqpacketSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void layoutsAndConstantsMatchTheCHeaders() {
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("sizeof(struct sockaddr_un)", (long) SockaddrUnLayout.SIZE);
        expected.put("offsetof(struct sockaddr_un, sun_path)", (long) SockaddrUnLayout.PATH);
        expected.put("sizeof(((struct sockaddr_un *) 0)->sun_path)", (long) SockaddrUnLayout.PATH_BYTES);
        expected.put("sizeof(struct msghdr)", (long) MsgHdrLayout.SIZE);
        expected.put("offsetof(struct msghdr, msg_namelen)", (long) MsgHdrLayout.NAME_LENGTH);
        expected.put("offsetof(struct msghdr, msg_iov)", (long) MsgHdrLayout.IOV);
        expected.put("offsetof(struct msghdr, msg_iovlen)", (long) MsgHdrLayout.IOV_LENGTH);
        expected.put("offsetof(struct msghdr, msg_control)", (long) MsgHdrLayout.CONTROL);
        expected.put("offsetof(struct msghdr, msg_controllen)", (long) MsgHdrLayout.CONTROL_LENGTH);
        expected.put("offsetof(struct msghdr, msg_flags)", (long) MsgHdrLayout.FLAGS);
        expected.put("sizeof(struct iovec)", (long) IoVecLayout.SIZE);
        expected.put("offsetof(struct iovec, iov_len)", (long) IoVecLayout.LENGTH);
        expected.put("sizeof(struct cmsghdr)", (long) CmsgHdrLayout.SIZE);
        expected.put("offsetof(struct cmsghdr, cmsg_level)", (long) CmsgHdrLayout.LEVEL);
        expected.put("offsetof(struct cmsghdr, cmsg_type)", (long) CmsgHdrLayout.TYPE);
        expected.put("CMSG_LEN(sizeof(int))", (long) CmsgHdrLayout.length(4));
        expected.put("CMSG_SPACE(sizeof(int))", (long) CmsgHdrLayout.space(4));
        expected.put("sizeof(struct ucred)", (long) UcredLayout.SIZE);
        expected.put("offsetof(struct ucred, uid)", (long) UcredLayout.UID);
        expected.put("offsetof(struct ucred, gid)", (long) UcredLayout.GID);
        expected.put("AF_UNIX", (long) SeqpacketSocket.AF_UNIX);
        expected.put("SOCK_SEQPACKET", (long) SeqpacketSocket.SOCK_SEQPACKET);
        expected.put("SOCK_CLOEXEC", (long) SeqpacketSocket.SOCK_CLOEXEC);
        expected.put("SO_PEERCRED", (long) SeqpacketSocket.SO_PEERCRED);
        expected.put("SCM_RIGHTS", (long) SeqpacketSocket.SCM_RIGHTS);
        expected.put("MSG_NOSIGNAL", (long) SeqpacketSocket.MSG_NOSIGNAL);
        expected.put("MSG_TRUNC", (long) SeqpacketSocket.MSG_TRUNC);
        expected.put("MSG_CMSG_CLOEXEC", (long) SeqpacketSocket.MSG_CMSG_CLOEXEC);
        // struct ucred needs _GNU_SOURCE before the first include, so the probe program is written here.
        StringBuilder c = new StringBuilder("#define _GNU_SOURCE\n#include <stdio.h>\n#include <stddef.h>\n"
                + "#include <sys/socket.h>\n#include <sys/un.h>\n#include <sys/uio.h>\nint main(void) {\n");
        List<String> keys = new ArrayList<>(expected.keySet());
        for (int i = 0; i < keys.size(); i++) {
            c.append("  printf(\"e").append(i).append(" %lld\\n\", (long long) (").append(keys.get(i)).append("));\n");
        }
        Map<String, Long> byIndex = CHeaderProbe.run(c.append("  return 0;\n}\n").toString());
        Map<String, Long> actual = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            actual.put(keys.get(i), byIndex.get("e" + i));
        }
        List<String> mismatches = new ArrayList<>();
        expected.forEach((k, v) -> {
            if (!v.equals(actual.get(k))) {
                mismatches.add(k + ": C=" + actual.get(k) + ", Java=" + v);
            }
        });
        assertEquals(List.of(), mismatches);
    }

    @Test
    @SuppressWarnings("try") // the client is closed early on purpose: the server must see the end
    void messagesKeepTheirBoundariesAndThePeerIsKnown(@TempDir Path dir) {
        Path path = dir.resolve("s.sock");
        try (SeqpacketSocket server = SeqpacketSocket.listen(path, 4);
             SeqpacketSocket client = SeqpacketSocket.connect(path);
             SeqpacketSocket accepted = server.accept(WAIT).orElseThrow()) {
            client.send("one".getBytes(StandardCharsets.UTF_8));
            client.send("two-two".getBytes(StandardCharsets.UTF_8));
            assertEquals("one", text(accepted.receive(64, WAIT).orElseThrow()));
            assertEquals("two-two", text(accepted.receive(64, WAIT).orElseThrow()));
            assertTrue(accepted.receive(64, Duration.ofMillis(50)).isEmpty(), "nothing more was sent");

            PeerCredentials peer = accepted.peerCredentials();
            assertEquals(ProcessHandle.current().pid(), peer.pid());
            assertEquals(0, peer.uid(), "the tests run as root");

            client.send("x".repeat(100).getBytes(StandardCharsets.UTF_8));
            SeqpacketMessage cut = accepted.receive(10, WAIT).orElseThrow();
            assertTrue(cut.truncated());
            assertEquals(10, cut.data().length);

            client.close();
            assertTrue(accepted.isPeerClosed());
            assertEquals(0, accepted.receive(64, WAIT).orElseThrow().data().length, "end of stream");
        }
    }

    @Test
    void aDescriptorTravelsWithAMessageAndNamesTheSameFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("payload"), "shared");
        Path path = dir.resolve("s.sock");
        int raw = Libc.open0(file.toString(), 0, 0);
        assertTrue(raw >= 0);
        try (FileDescriptor original = new FileDescriptor(raw, "payload");
             SeqpacketSocket server = SeqpacketSocket.listen(path, 4);
             SeqpacketSocket client = SeqpacketSocket.connect(path);
             SeqpacketSocket accepted = server.accept(WAIT).orElseThrow()) {
            accepted.send("here".getBytes(StandardCharsets.UTF_8), original);
            SeqpacketMessage m = client.receive(64, WAIT).orElseThrow();
            assertEquals("here", text(m));
            try (FileDescriptor received = m.fd().orElseThrow()) {
                assertFalse(received.get() == original.get(), "the receiver gets a descriptor of its own");
                assertEquals(file.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + received.get())));
            }
            accepted.send("plain".getBytes(StandardCharsets.UTF_8));
            assertTrue(client.receive(64, WAIT).orElseThrow().fd().isEmpty());
        }
    }

    @Test
    void failuresNameTheCallAndThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nobody.sock");
        KernelException e = assertThrows(KernelException.class, () -> SeqpacketSocket.connect(missing));
        assertTrue(e.getMessage().startsWith("connect(" + missing + ") failed: ENOENT"), e.getMessage());
        try (SeqpacketSocket first = SeqpacketSocket.listen(dir.resolve("a.sock"), 1)) {
            KernelException taken = assertThrows(KernelException.class,
                    () -> SeqpacketSocket.listen(first.path(), 1));
            assertTrue(taken.getMessage().contains("EADDRINUSE") || taken.getMessage().contains("98"),
                    taken.getMessage());
            assertTrue(first.accept(Duration.ofMillis(20)).isEmpty(), "no one connected");
        }
        assertThrows(IllegalArgumentException.class, () -> SeqpacketSocket.listen(dir.resolve("x".repeat(120)), 1));
    }

    private static String text(SeqpacketMessage m) {
        return new String(m.data(), StandardCharsets.UTF_8);
    }
}
