package io.splitplane.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.cni.server.CniServer;
import io.splitplane.kernel.testing.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calls served by the node daemon's server ({@code splitplane.jar --serve}, a process of its own)
 * through the launcher, exec'd as a runtime does: the same stdout and exit status as the JVM per call
 * for a set of the other tests' calls, the kernel's view after ADD, CHECK and DEL, concurrent calls,
 * a failed call followed by a good one, malformed HTTP refused, the launcher falling back to the JVM
 * when the socket is absent or stale, a call that takes too long, and SIGTERM removing the socket.
 */
class ServedCallsTest {
    private static CniServerProcess server;

    @BeforeAll
    static void startServer() {
        server = new CniServerProcess();
    }

    @AfterAll
    static void stopServer() {
        try {
            server.stop();
            assertFalse(Files.exists(server.socket), "SIGTERM removed the socket");
            String log = server.log();
            assertFalse(log.contains("not the host's"), "every call thread ended in the host namespace: " + log);
            assertTrue(log.contains("stopped serving CNI calls"), log);
        } finally {
            server.close();
        }
    }

    /** Runs the call through the JVM and through the server: same exit status, same stdout. */
    /** The call with a JVM, then through the server with each client the launcher knows: the same answer. */
    private static CniCall.Answer both(Map<String, String> env, String stdin) {
        CniCall.Answer jvm = CniCall.run(env, stdin);
        CniCall.Answer served = null;
        for (String client : List.of("nc", "curl")) {
            Map<String, String> e = new HashMap<>(env);
            e.put("SPLITPLANE_CNI_CLIENT", client);
            served = server.run(e, stdin);
            assertEquals(jvm.exit(), served.exit(), client + ": exit status; JVM: " + jvm + "\nserver: " + served);
            assertEquals(jvm.stdout(), served.stdout(), client + ": stdout; JVM stderr: " + jvm.stderr()
                    + "\nserver stderr: " + served.stderr());
        }
        return served;
    }

    @Test
    void errorsVersionStatusAndGcAnswerTheSameThroughTheServer() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            Map<String, String> add = CniCall.env("ADD", "c", netns, "net1");
            String good = f.config("1.1.0", d.device()).toString();

            assertEquals(0, both(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}").exit());
            assertEquals(0, both(Map.of("CNI_COMMAND", "VERSION"), "").exit());
            assertEquals(CniException.DECODING_FAILURE, both(add, "{\"cniVersion\": \"1.1.0\", ").code());
            assertEquals(CniException.DECODING_FAILURE, both(add, "").code());
            assertEquals(CniException.INCOMPATIBLE_VERSION, both(add, f.config("2.0.0", d.device()).toString()).code());
            ObjectNode typo = f.config("1.1.0", d.device());
            typo.put("mtuu", 1500);
            assertEquals(CniException.UNSUPPORTED_FIELD, both(add, typo.toString()).code());
            for (String variable : List.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH")) {
                Map<String, String> unset = new HashMap<>(add);
                unset.remove(variable);
                assertEquals(CniException.INVALID_ENVIRONMENT, both(unset, good).code(), variable + " unset");
                Map<String, String> empty = new HashMap<>(add);
                empty.put(variable, "");
                assertEquals(CniException.INVALID_ENVIRONMENT, both(empty, good).code(), variable + " empty");
            }
            Map<String, String> badCommand = new HashMap<>(add);
            badCommand.put("CNI_COMMAND", "MOVE");
            assertEquals(CniException.INVALID_ENVIRONMENT, both(badCommand, good).code());
            assertEquals(CniException.UNKNOWN_CONTAINER, both(CniCall.env("ADD", "c", "/run/netns/sptnonexistent",
                    "net1"), good).code());
            assertEquals(CniException.INCOMPATIBLE_VERSION, both(CniCall.env("CHECK", "c", netns, "net1"),
                    f.config("0.3.1", d.device()).toString()).code());
            assertEquals(CniException.INVALID_NETWORK_CONFIG, both(add, f.config("1.1.0", null).toString()).code());
            assertEquals(CniException.DEVICE_NOT_FOUND, both(add, f.config("1.1.0", "sptnosuchdev").toString()).code());

            Map<String, String> global = new HashMap<>(CniCall.env("STATUS", null, null, null));
            assertEquals("", both(global, good).ok().stdout());
            ObjectNode gc = f.config("1.1.0", null);
            gc.putArray("cni.dev/valid-attachments");
            global.put("CNI_COMMAND", "GC");
            assertEquals("", both(global, gc.toString()).ok().stdout());
            ObjectNode noBpffs = f.config("1.1.0", null);
            noBpffs.put("bpffsRoot", f.stateDir.toString());
            global.put("CNI_COMMAND", "STATUS");
            assertEquals(CniException.NOT_AVAILABLE, both(global, noBpffs.toString()).code());

            f.assertHome(d);
            assertEquals(List.of(), f.states());
            assertEquals(List.of(), f.leases());
        }
    }

    @Test
    void addCheckDelThroughTheServerAnswerAsTheJvmDoes() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            String pod = PoolFixture.nsName(netns);
            String other = f.pod();
            ObjectNode config = f.config("1.1.0", d.device());

            CniCall.Answer served = server.run(CniCall.env("ADD", "c1", netns, "net1"), config.toString()).ok();
            JsonNode result = served.json();
            JsonNode inPod = PoolFixture.link(pod, "net1");
            assertEquals(inPod.path("address").asText(), result.path("interfaces").get(0).path("mac").asText());
            assertTrue(inPod.has("xdp"), "the classifier is attached: " + inPod);
            int programId = inPod.path("xdp").path("prog").path("id").asInt();
            assertNull(PoolFixture.link(null, d.device()), d.device() + " left the host");
            assertEquals(List.of("10." + f.subnet + ".0.10"), f.leases());

            // Another container asking for the same device, then its DEL: refused alike, holder untouched.
            assertEquals(CniException.DEVICE_IN_USE, both(CniCall.env("ADD", "c2", other, "net1"),
                    config.toString()).code());
            assertEquals("", both(CniCall.env("DEL", "c2", other, "net1"), config.toString()).ok().stdout());
            assertEquals(List.of("c1@net1.json"), f.states());

            ObjectNode withPrev = config.deepCopy();
            withPrev.set("prevResult", result);
            assertEquals("", both(CniCall.env("CHECK", "c1", netns, "net1"), withPrev.toString()).ok().stdout());
            Shell.ipIn(pod, "link", "set", "net1", "down");
            assertEquals(CniException.CHECK_FAILED, both(CniCall.env("CHECK", "c1", netns, "net1"),
                    withPrev.toString()).code());
            Shell.ipIn(pod, "link", "set", "net1", "up");

            assertEquals("", server.run(CniCall.env("DEL", "c1", netns, "net1"), withPrev.toString()).ok().stdout());
            f.assertHome(d);
            // The long-lived server holds no descriptor of the program: DEL freed it.
            assertTrue(Shell.exec("bpftool", "prog", "show", "id", String.valueOf(programId)).exitCode() != 0,
                    "program " + programId + " is gone after DEL");
            assertEquals(List.of(), f.pins());
            assertEquals(List.of(), f.leases());
            assertEquals(List.of(), f.states());
            assertEquals("", both(CniCall.env("DEL", "c1", netns, "net1"), withPrev.toString()).ok().stdout());

            // The same ADD by the JVM: the same answer but for the address host-local hands out next.
            CniCall.Answer jvm = CniCall.run(CniCall.env("ADD", "c1", netns, "net1"), config.toString()).ok();
            assertEquals(withoutAddresses(result), withoutAddresses(jvm.json()), "JVM: " + jvm + "\nserver: " + served);
            CniCall.run(CniCall.env("DEL", "c1", netns, "net1"), config.toString()).ok();
            f.assertHome(d);
        }
    }

    private static JsonNode withoutAddresses(JsonNode result) {
        ObjectNode copy = result.deepCopy();
        for (JsonNode ip : copy.path("ips")) {
            assertTrue(ip.path("address").asText().matches("10\\.\\d+\\.0\\.\\d+/24"), ip.toString());
            ((ObjectNode) ip).put("address", "(leased)");
        }
        return copy;
    }

    @Test
    void concurrentAddsAndDelsThroughTheServer() {
        ConcurrencyAndGcTest.concurrentAddsAndDels(server::run);
    }

    @Test
    void aCallAfterAFailedCallStillWorks() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            // Fails in the pod's namespace, after the move and the addresses: rolled back from there.
            ObjectNode bad = f.config("1.1.0", d.device());
            ((ObjectNode) bad.path("ipam").path("routes").get(0)).put("gw", "192.0.2.77");
            CniCall.Answer failed = server.run(CniCall.env("ADD", "c", netns, "net1"), bad.toString());
            assertEquals(CniException.KERNEL_FAILURE, failed.code(), failed.toString());
            f.assertHome(d);
            assertEquals(List.of(), f.states());

            ObjectNode config = f.config("1.1.0", d.device());
            server.run(CniCall.env("ADD", "c", netns, "net1"), config.toString()).ok();
            assertTrue(PoolFixture.link(PoolFixture.nsName(netns), "net1").has("xdp"));
            server.run(CniCall.env("DEL", "c", netns, "net1"), config.toString()).ok();
            f.assertHome(d);
            assertEquals(List.of(), f.leases());
            assertFalse(server.log().contains("not the host's"), server.log());
        }
    }

    @Test
    void theServerFreesASpareItClaimedForAnAddThatFailed() {
        try (PoolFixture f = new PoolFixture()) {
            io.splitplane.bpf.ClassifierSpares spares = io.splitplane.bpf.ClassifierSpares.under(f.bpffs);
            int spareId;
            try (io.splitplane.bpf.Classifier c = io.splitplane.bpf.Classifier.openPinned(spares.prepare())) {
                spareId = c.programId();
            }
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            ObjectNode config = f.config("1.1.0", d.device());
            ((ObjectNode) config.path("ipam").path("routes").get(0)).put("gw", "192.0.2.77");
            CniCall.Answer add = server.run(CniCall.env("ADD", "c", netns, "net1"), config.toString());
            assertEquals(CniException.KERNEL_FAILURE, add.code(), add.toString());
            f.assertHome(d);
            assertEquals(List.of(), f.pins());
            assertEquals(0, spares.count(), "claimed ahead, then given back");
            assertTrue(Shell.exec("bpftool", "prog", "show", "id", String.valueOf(spareId)).exitCode() != 0,
                    "the server process holds nothing of the spare's program");
        }
    }

    @Test
    void eachCallLogsToItsOwnLogFile() throws IOException {
        try (PoolFixture f = new PoolFixture()) {
            String netns = f.pod();
            Path logA = f.stateDir.resolve("a.log");
            Path logB = f.stateDir.resolve("b.log");
            ObjectNode a = f.config("1.1.0", "sptnosuchdeva");
            a.put("logFile", logA.toString());
            ObjectNode b = f.config("1.1.0", "sptnosuchdevb");
            b.put("logFile", logB.toString());
            assertEquals(CniException.DEVICE_NOT_FOUND, server.run(CniCall.env("ADD", "ca", netns, "net1"),
                    a.toString()).code());
            assertEquals(CniException.DEVICE_NOT_FOUND, server.run(CniCall.env("ADD", "cb", netns, "net1"),
                    b.toString()).code());
            String inA = Files.readString(logA);
            String inB = Files.readString(logB);
            assertTrue(inA.contains("ADD ca ") && inA.contains("sptnosuchdeva") && !inA.contains("cb"), inA);
            assertTrue(inB.contains("ADD cb ") && inB.contains("sptnosuchdevb") && !inB.contains("ca "), inB);
            assertFalse(server.log().contains("sptnosuchdeva"), "not in the server's own log: " + server.log());
        }
    }

    /** Sends raw bytes to the server; returns the whole response. */
    private static String exchange(Path socket, String request) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            c.shutdownOutput();
            try (InputStream in = Channels.newInputStream(c)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    private static JsonNode body(String response) throws IOException {
        return PoolFixture.JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    @Test
    void malformedHttpIsRefusedWithAClearAnswer() throws IOException {
        String get = exchange(server.socket, "GET / HTTP/1.1\r\nHost: cni\r\n\r\n");
        assertTrue(get.startsWith("HTTP/1.1 400 "), get);
        assertEquals(CniException.DECODING_FAILURE, body(get).path("code").asInt(), get);
        assertTrue(body(get).path("details").asText().contains("GET"), get);

        String noLength = exchange(server.socket, "POST / HTTP/1.1\r\nCNI-Command: VERSION\r\n\r\n{}");
        assertTrue(noLength.startsWith("HTTP/1.1 400 "), noLength);
        assertTrue(body(noLength).path("details").asText().contains("Content-Length"), noLength);

        String chunked = exchange(server.socket, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
        assertTrue(chunked.startsWith("HTTP/1.1 400 "), chunked);

        String garbage = exchange(server.socket, "hello\r\n\r\n");
        assertTrue(garbage.startsWith("HTTP/1.1 400 "), garbage);
        assertTrue(body(garbage).path("details").asText().contains("hello"), garbage);

        String shortBody = exchange(server.socket, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}");
        assertTrue(shortBody.startsWith("HTTP/1.1 400 "), shortBody);

        // Still serving, and a well-formed request by hand gets the plugin's answer.
        String version = exchange(server.socket, "POST / HTTP/1.1\r\nCNI-Command: VERSION\r\nContent-Length: 0\r\n\r\n");
        assertTrue(version.startsWith("HTTP/1.1 200 "), version);
        assertEquals("1.1.0", body(version).path("cniVersion").asText(), version);
        String error = exchange(server.socket, "POST / HTTP/1.1\r\ncni-command: ADD\r\nContent-Length: 2\r\n\r\n{}");
        assertTrue(error.startsWith("HTTP/1.1 500 "), error);
        assertEquals(CniException.INVALID_ENVIRONMENT, body(error).path("code").asInt(), error);
    }

    @Test
    void theLauncherFallsBackToTheJvmWhenTheSocketIsAbsentOrStale(@TempDir Path dir) throws IOException {
        String expected = CniCall.run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.1.0\"}").ok().stdout();
        Path absent = dir.resolve("absent.sock");
        CniCall.Answer none = CniCall.run(Map.of("CNI_COMMAND", "VERSION", "SPLITPLANE_CNI_SOCKET", absent.toString()),
                "{\"cniVersion\":\"1.1.0\"}").ok();
        assertEquals(expected, none.stdout());
        assertFalse(none.stderr().contains("cannot be reached"), "no socket, nothing to report: " + none.stderr());

        // A socket file whose server is gone (closed without removing it, as after a crash).
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(stale));
        }
        assertTrue(Files.exists(stale));
        CniCall.Answer fallback = CniCall.run(Map.of("CNI_COMMAND", "VERSION", "SPLITPLANE_CNI_SOCKET",
                stale.toString()), "{\"cniVersion\":\"1.1.0\"}").ok();
        assertEquals(expected, fallback.stdout(), "stdout is the answer only: " + fallback);
        assertTrue(fallback.stderr().contains("cannot be reached"), fallback.stderr());

        // A config on stdin survives the failed attempt: the JVM reads the same bytes.
        try (PoolFixture f = new PoolFixture()) {
            Map<String, String> env = new HashMap<>(CniCall.env("ADD", "c", "/run/netns/sptnonexistent", "net1"));
            String config = f.config("1.0.0", "sptnosuchdev").toString();
            CniCall.Answer direct = CniCall.run(env, config);
            env.put("SPLITPLANE_CNI_SOCKET", stale.toString());
            CniCall.Answer viaStale = CniCall.run(env, config);
            assertEquals(direct.exit(), viaStale.exit());
            assertEquals(direct.stdout(), viaStale.stdout());
            assertEquals("1.0.0", viaStale.json().path("cniVersion").asText(), viaStale.toString());
        }
    }

    @Test
    void stopRemovesTheSocketAndTheLauncherFallsBack() {
        try (CniServerProcess another = new CniServerProcess()) {
            assertEquals("rw-------", PosixFilePermissions.toString(permissions(another.socket)));
            assertEquals("rwx------", PosixFilePermissions.toString(permissions(another.socket.getParent())));
            String expected = CniCall.run(Map.of("CNI_COMMAND", "VERSION"), "").ok().stdout();
            assertEquals(expected, another.run(Map.of("CNI_COMMAND", "VERSION"), "").ok().stdout());
            another.stop();
            assertFalse(Files.exists(another.socket), "SIGTERM removed the socket");
            CniCall.Answer after = another.runWithFallback(Map.of("CNI_COMMAND", "VERSION"), "").ok();
            assertEquals(expected, after.stdout());
            assertTrue(another.log().contains("stopped serving CNI calls"), another.log());
        }
    }

    private static Set<java.nio.file.attribute.PosixFilePermission> permissions(Path p) {
        try {
            return Files.getPosixFilePermissions(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aCallThatTakesTooLongIsAnsweredTryAgainLater(@TempDir Path dir) throws IOException {
        Path socket = dir.resolve("run").resolve("cni.sock");
        try (CniServer inProcess = CniServer.start(socket, 2, Duration.ofSeconds(1))) {
            // A client that sends half a request and waits: the deadline answers and closes.
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                c.write(ByteBuffer.wrap("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{".getBytes(StandardCharsets.UTF_8)));
                long start = System.nanoTime();
                String response;
                try (InputStream in = Channels.newInputStream(c)) {
                    response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(response.startsWith("HTTP/1.1 500 "), response);
                assertEquals(CniException.TRY_AGAIN_LATER, body(response).path("code").asInt(), response);
                assertTrue(ms >= 900 && ms < 10_000, ms + " ms");
            }
            // A second server on the same live socket is refused; the first keeps serving.
            try {
                CniServer.start(socket, 1, Duration.ofSeconds(1)).close();
                throw new AssertionError("a second server took over a live socket");
            } catch (java.io.UncheckedIOException e) {
                assertTrue(e.getMessage().contains("another server listens"), e.getMessage());
            }
            String version = exchange(socket, "POST / HTTP/1.1\r\nCNI-Command: VERSION\r\nContent-Length: 0\r\n\r\n");
            assertTrue(version.startsWith("HTTP/1.1 200 "), version);
        }
        assertFalse(Files.exists(socket), "close removed the socket");
    }
}
