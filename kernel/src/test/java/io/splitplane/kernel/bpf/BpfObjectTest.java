package io.splitplane.kernel.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BpfObjectTest {
    @Test
    void opensFileListsProgramsAndMapsAndLoads() {
        try (BpfObject object = BpfObject.open(TestObjects.path(TestObjects.PROTO_COUNTER))) {
            assertEquals("proto_counter", object.name());
            assertEquals(List.of("proto_counter"), object.programs().stream().map(BpfProgram::name).toList());
            List<String> maps = object.maps().stream().map(BpfMap::name).toList();
            assertTrue(maps.containsAll(List.of("proto_counts", "verdicts", "verdict_counts")), maps.toString());
            assertFalse(object.isLoaded());

            // Before load the definitions come from the ELF...
            BpfMap counts = object.map("proto_counts");
            assertEquals(BpfMap.TYPE_HASH, counts.type());
            assertEquals(4, counts.keySize());
            assertEquals(8, counts.valueSize());
            assertEquals(512, counts.maxEntries());
            // ...but nothing exists in the kernel yet.
            IllegalStateException notLoaded = assertThrows(IllegalStateException.class, counts::fd);
            assertTrue(notLoaded.getMessage().contains("not loaded"), notLoaded.getMessage());
            assertThrows(IllegalStateException.class, () -> object.program("proto_counter").fd());

            object.load();
            assertTrue(object.isLoaded());
            BpfProgram program = object.program("proto_counter");
            assertTrue(program.fd() > 0);
            assertEquals(BpfProgram.TYPE_XDP, program.type());
            // The kernel knows the program by the id we report.
            String shown = Shell.run("bpftool", "prog", "show", "id", Integer.toString(program.id()));
            assertTrue(shown.contains("xdp") && shown.contains("name proto_counter"), shown);
            String map = Shell.run("bpftool", "map", "show", "id", Integer.toString(counts.id()));
            assertTrue(map.contains("hash") && map.contains("name proto_counts"), map);
        }
    }

    @Test
    void opensFromBytesAndFromResource() throws IOException {
        byte[] elf = Files.readAllBytes(TestObjects.path(TestObjects.PROTO_COUNTER));
        try (BpfObject fromBytes = BpfObject.open(elf, "from_bytes")) {
            assertEquals("from_bytes", fromBytes.name());
            fromBytes.load();
            assertTrue(fromBytes.program("proto_counter").id() > 0);
        }
        try (BpfObject fromResource = BpfObject.openResource(BpfObjectTest.class, "/bpf/proto_counter.bpf.o")) {
            assertEquals("proto_counter", fromResource.name());
            fromResource.load();
            assertTrue(fromResource.map("verdicts").id() > 0);
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> BpfObject.openResource(BpfObjectTest.class, "/bpf/no_such.bpf.o"));
        assertTrue(missing.getMessage().contains("no_such.bpf.o"), missing.getMessage());
    }

    @Test
    void unknownNamesListTheNamesThatExist() {
        try (BpfObject object = BpfObject.open(TestObjects.path(TestObjects.PROTO_COUNTER))) {
            IllegalArgumentException program = assertThrows(IllegalArgumentException.class, () -> object.program("nope"));
            assertTrue(program.getMessage().contains("'nope'") && program.getMessage().contains("[proto_counter]"),
                    program.getMessage());
            IllegalArgumentException map = assertThrows(IllegalArgumentException.class, () -> object.map("nope"));
            assertTrue(map.getMessage().contains("proto_counts") && map.getMessage().contains("verdict_counts"),
                    map.getMessage());
        }
    }

    @Test
    void brokenElfBytesGiveAClearError() {
        byte[] junk = "this is not an ELF object, just text".getBytes();
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.open(junk, "junk"));
        assertEquals(4001, e.errno()); // LIBBPF_ERRNO__FORMAT
        assertTrue(e.getMessage().startsWith("bpf_object__open_mem(junk, 36 bytes) failed: LIBBPF_ERRNO__FORMAT"),
                e.getMessage());
        assertTrue(e.getMessage().contains("not a proper ELF"), e.getMessage());
        assertTrue(e.libbpfLog().contains("libbpf:"), e.libbpfLog());
    }

    @Test
    void truncatedElfGivesAClearError() throws IOException {
        byte[] elf = Files.readAllBytes(TestObjects.path(TestObjects.PROTO_COUNTER));
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.open(Arrays.copyOf(elf, 200), "truncated"));
        assertTrue(e.errno() > 0);
        assertTrue(e.getMessage().contains("bpf_object__open_mem(truncated"), e.getMessage());
        assertFalse(e.libbpfLog().isBlank(), "libbpf says what is wrong");
    }

    @Test
    void missingFileAndEmptyInputAreRefused() {
        BpfException missing = assertThrows(BpfException.class, () -> BpfObject.open(Path.of("/nonexistent/x.bpf.o")));
        assertEquals(Errno.ENOENT, missing.errno());
        assertTrue(missing.getMessage().contains("/nonexistent/x.bpf.o"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BpfObject.open(new byte[0], "empty"));
        assertThrows(IllegalArgumentException.class, () -> BpfObject.open(new byte[] {1}, " "));
        assertThrows(NullPointerException.class, () -> BpfObject.open((Path) null));
    }

    @Test
    void verifierRejectionCarriesTheVerifierLog() {
        try (BpfObject object = BpfObject.open(TestObjects.path(TestObjects.VERIFIER_REJECT))) {
            BpfException e = assertThrows(BpfException.class, object::load);
            assertEquals(Errno.EACCES, e.errno());
            String message = e.getMessage();
            assertTrue(message.startsWith("bpf_object__load(verifier_reject) failed: EACCES"), message);
            assertTrue(message.contains("prog 'unchecked_read': BPF program load failed"), message);
            assertTrue(message.contains("verifier log"), message);
            assertTrue(message.contains("invalid access to packet"), message);
            assertTrue(e.verifierLog().contains("invalid access to packet"), e.verifierLog());
            assertFalse(object.isLoaded());
            IllegalStateException again = assertThrows(IllegalStateException.class, object::load);
            assertTrue(again.getMessage().contains("open it again"), again.getMessage());
        }
    }

    @Test
    void loadsOnce() {
        try (BpfObject object = TestObjects.loadedProtoCounter()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, object::load);
            assertTrue(e.getMessage().contains("already loaded"), e.getMessage());
        }
    }

    @Test
    void mapsCanBeResizedOnlyBeforeLoad() {
        try (BpfObject object = BpfObject.open(TestObjects.path(TestObjects.PROTO_COUNTER))) {
            BpfMap verdicts = object.map("verdicts");
            verdicts.setMaxEntries(16);
            assertEquals(16, verdicts.maxEntries());
            assertThrows(IllegalArgumentException.class, () -> verdicts.setMaxEntries(0));
            object.load();
            assertEquals(16, verdicts.maxEntries(), "the kernel's map has the new size");
            assertThrows(IllegalStateException.class, () -> verdicts.setMaxEntries(32));
        }
    }

    @Test
    void everyUseAfterCloseIsAClearIllegalStateException() {
        BpfObject object = TestObjects.loadedProtoCounter();
        BpfProgram program = object.program("proto_counter");
        BpfMap map = object.map("verdicts");
        object.close();
        object.close(); // idempotent
        assertFalse(object.isOpen());
        List<Runnable> uses = List.of(
                () -> object.program("proto_counter"),
                () -> object.map("verdicts"),
                object::programs,
                object::load,
                program::fd,
                program::id,
                program::type,
                () -> program.testRun(TestRun.of(TestFrames.udp(new byte[8]))),
                () -> program.attachXdp(1, XdpMode.GENERIC),
                () -> program.pin(Path.of("/run/never")),
                map::fd,
                map::type,
                () -> map.lookup(TestFrames.u32(17)),
                () -> map.update(TestFrames.u32(17), TestFrames.u32(1)),
                () -> map.delete(TestFrames.u32(17)),
                map::keys);
        for (Runnable use : uses) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use::run);
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        }
        map.close(); // borrowed: nothing to do, and no error
    }

    @Test
    void closingWhileOtherThreadsUseTheObjectNeverCrashes() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            BpfObject object = TestObjects.loadedProtoCounter();
            BpfMap map = object.map("proto_counts");
            BpfProgram program = object.program("proto_counter");
            byte[] frame = TestFrames.udp(new byte[16]);
            AtomicInteger uses = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(2);
            Thread[] users = new Thread[2];
            for (int t = 0; t < users.length; t++) {
                users[t] = Thread.ofPlatform().start(() -> {
                    started.countDown();
                    try {
                        while (true) {
                            program.testRun(TestRun.of(frame));
                            map.lookup(TestFrames.u32(TestFrames.IPPROTO_UDP));
                            map.keys();
                            uses.incrementAndGet();
                        }
                    } catch (IllegalStateException expected) {
                        // closed under us: the one acceptable end
                    } catch (Throwable t2) {
                        unexpected.set(t2);
                    }
                });
            }
            started.await();
            // Close only once the users are really using it (a loaded machine can take a while).
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (uses.get() < 10 && unexpected.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            object.close();
            for (Thread user : users) {
                user.join(5_000);
                assertFalse(user.isAlive());
            }
            if (unexpected.get() != null) {
                throw new AssertionError("unexpected failure while closing", unexpected.get());
            }
            assertTrue(uses.get() > 0);
        }
    }
}
