package io.splitplane.kernel.bpf;

import static io.splitplane.kernel.bpf.TestFrames.u32;
import static io.splitplane.kernel.bpf.TestFrames.u64;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.Libc;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpfMapTest {
    private BpfObject object;
    private BpfMap verdicts;

    @BeforeEach
    void load() {
        object = TestObjects.loadedProtoCounter();
        verdicts = object.map("verdicts");
    }

    @AfterEach
    void close() {
        object.close();
    }

    @Test
    void updateLookupDeleteWithByteArrays() {
        assertEquals(Optional.empty(), verdicts.lookup(u32(17)));
        verdicts.update(u32(17), u32(XdpAction.DROP));
        assertEquals(XdpAction.DROP, u32(verdicts.lookup(u32(17)).orElseThrow()));
        verdicts.update(u32(17), u32(XdpAction.TX), BpfMap.EXIST);
        assertEquals(XdpAction.TX, u32(verdicts.lookup(u32(17)).orElseThrow()));

        BpfException exists = assertThrows(BpfException.class, () -> verdicts.update(u32(17), u32(1), BpfMap.NOEXIST));
        assertEquals(Errno.EEXIST, exists.errno());
        assertTrue(exists.getMessage().contains("bpf_map_update_elem(map 'verdicts') failed: EEXIST"), exists.getMessage());
        BpfException absent = assertThrows(BpfException.class, () -> verdicts.update(u32(6), u32(1), BpfMap.EXIST));
        assertEquals(Errno.ENOENT, absent.errno());

        assertTrue(verdicts.delete(u32(17)));
        assertFalse(verdicts.delete(u32(17)));
        assertEquals(Optional.empty(), verdicts.lookup(u32(17)));
    }

    @Test
    void updateLookupDeleteWithSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, 6);
            MemorySegment value = arena.allocateFrom(JAVA_INT, XdpAction.PASS);
            verdicts.update(key, value, BpfMap.NOEXIST);
            MemorySegment out = arena.allocate(JAVA_INT);
            assertTrue(verdicts.lookup(key, out));
            assertEquals(XdpAction.PASS, out.get(JAVA_INT, 0));
            assertTrue(verdicts.delete(key));
            assertFalse(verdicts.lookup(key, out));
        }
    }

    @Test
    void buffersThatDoNotFitAreRefusedBeforeTheKernelSeesThem() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, 6);
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> verdicts.lookup(key, arena.allocate(2)));
            assertTrue(small.getMessage().contains("needs 4 bytes"), small.getMessage());
            assertThrows(IllegalArgumentException.class, () -> verdicts.lookup(key, MemorySegment.ofArray(new byte[4])));
            assertThrows(IllegalArgumentException.class, () -> verdicts.lookup(key, arena.allocate(4).asReadOnly()));
            assertThrows(IllegalArgumentException.class, () -> verdicts.lookup(MemorySegment.ofAddress(key.address()),
                    arena.allocate(4)), "a zero-length segment made from an address is not trusted");
            assertThrows(IllegalArgumentException.class, () -> verdicts.update(new byte[3], u32(1)));
            assertThrows(IllegalArgumentException.class, () -> verdicts.update(u32(1), new byte[8]));
            assertThrows(IllegalArgumentException.class, () -> verdicts.lookup(new byte[5]));
        }
    }

    @Test
    void iteratesKeysAndEntries() {
        Map<Integer, Integer> written = Map.of(1, XdpAction.DROP, 6, XdpAction.PASS, 17, XdpAction.TX);
        written.forEach((k, v) -> verdicts.update(u32(k), u32(v)));
        assertEquals(new TreeSet<>(written.keySet()),
                new TreeSet<>(verdicts.keys().stream().map(TestFrames::u32).toList()));
        Map<Integer, Integer> seen = new HashMap<>();
        verdicts.forEach((k, v) -> seen.put(u32(k), u32(v)));
        assertEquals(written, seen);
        assertEquals(List.of(), object.map("proto_counts").keys());
    }

    @Test
    void perCpuValuesHaveOneSlotPerPossibleCpu() {
        BpfMap counts = object.map("verdict_counts");
        int cpus = BpfMap.possibleCpuCount();
        assertTrue(counts.isPerCpu());
        assertEquals(8, counts.valueSize());
        assertEquals(8 * cpus, counts.valueBufferSize());
        // An array has every key, each starting at zero on every CPU.
        assertEquals(XdpAction.COUNT, counts.keys().size());
        byte[] perCpu = new byte[counts.valueBufferSize()];
        for (int cpu = 0; cpu < cpus; cpu++) {
            System.arraycopy(u64(100L + cpu), 0, perCpu, cpu * 8, 8);
        }
        counts.update(u32(XdpAction.PASS), perCpu);
        List<byte[]> slots = counts.lookupPerCpu(u32(XdpAction.PASS)).orElseThrow();
        assertEquals(cpus, slots.size());
        for (int cpu = 0; cpu < cpus; cpu++) {
            assertEquals(100L + cpu, u64(slots.get(cpu)));
        }
        assertThrows(IllegalArgumentException.class, () -> counts.update(u32(XdpAction.PASS), u64(1)),
                "a per-CPU value needs every CPU's slot");
        assertThrows(UnsupportedOperationException.class, () -> verdicts.lookupPerCpu(u32(1)));
    }

    @Test
    void pinsReopensAndUnpinsMapsAndPrograms() {
        try (TestNetwork net = new TestNetwork()) {
            Path bpffs = net.bpffs();
            Path mapPin = bpffs.resolve("verdicts");
            Path programPin = bpffs.resolve("proto_counter");
            verdicts.update(u32(17), u32(XdpAction.DROP));
            verdicts.pin(mapPin);
            BpfProgram program = object.program("proto_counter");
            program.pin(programPin);
            assertTrue(Files.exists(mapPin) && Files.exists(programPin));

            BpfException twice = assertThrows(BpfException.class, () -> verdicts.pin(mapPin));
            assertEquals(Errno.EEXIST, twice.errno());

            String shown = Shell.run("bpftool", "prog", "show", "pinned", programPin.toString());
            assertTrue(shown.startsWith(program.id() + ":"), shown);

            int id = verdicts.id();
            object.close(); // the pins keep map and program alive
            try (BpfMap reopened = BpfMap.openPinned(mapPin)) {
                assertEquals(id, reopened.id());
                assertEquals("verdicts", reopened.name());
                assertEquals(BpfMap.TYPE_HASH, reopened.type());
                assertEquals(4, reopened.keySize());
                assertEquals(4, reopened.valueSize());
                assertEquals(256, reopened.maxEntries());
                assertEquals(XdpAction.DROP, u32(reopened.lookup(u32(17)).orElseThrow()));
                reopened.update(u32(6), u32(XdpAction.TX));
                try (BpfMap second = BpfMap.openPinned(mapPin)) {
                    assertEquals(XdpAction.TX, u32(second.lookup(u32(6)).orElseThrow()), "one map, two fds");
                }
            }
            assertTrue(BpfMap.unpin(mapPin));
            assertFalse(BpfMap.unpin(mapPin), "nothing left to unpin");
            assertTrue(BpfProgram.unpin(programPin));
            assertFalse(Files.exists(mapPin) || Files.exists(programPin));
            BpfException gone = assertThrows(BpfException.class, () -> BpfMap.openPinned(mapPin));
            assertEquals(Errno.ENOENT, gone.errno());
        }
    }

    @Test
    void pinsOnlyOnABpfFilesystem(@TempDir Path tmp) throws Exception {
        IllegalArgumentException pin = assertThrows(IllegalArgumentException.class, () -> verdicts.pin(tmp.resolve("m")));
        assertTrue(pin.getMessage().contains("not on a BPF filesystem"), pin.getMessage());
        Path file = Files.writeString(tmp.resolve("ordinary"), "keep me");
        assertThrows(IllegalArgumentException.class, () -> BpfMap.unpin(file));
        assertTrue(Files.exists(file), "unpin never deletes ordinary files");
        assertThrows(IllegalArgumentException.class, () -> BpfMap.openPinned(file));
        BpfException noDir = assertThrows(BpfException.class, () -> verdicts.pin(Path.of("/nonexistent-dir/m")));
        assertEquals(Errno.ENOENT, noDir.errno());
    }

    @Test
    void ownedMapsCloseTheirFdOnce() {
        try (TestNetwork net = new TestNetwork()) {
            Path pin = net.bpffs().resolve("verdicts");
            verdicts.pin(pin);
            BpfMap owned = BpfMap.openPinned(pin);
            int fd = owned.fd();
            assertTrue(Files.exists(Path.of("/proc/self/fd/" + fd)));
            owned.close();
            owned.close();
            assertFalse(owned.isOpen());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> owned.lookup(u32(1)));
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
            assertThrows(IllegalStateException.class, owned::keys);
            assertThrows(IllegalStateException.class, owned::type);
            BpfMap.unpin(pin);
        }
    }

    @Test
    void fromFdAcceptsOnlyMapsAndTakesOwnership() {
        FileDescriptor notAMap = new FileDescriptor(Libc.open0("/dev/null", 0, 0), "/dev/null");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpfMap.fromFd(notAMap));
        assertTrue(e.getMessage().contains("is not a BPF map"), e.getMessage());
        assertFalse(notAMap.isOpen(), "ownership was taken, so the fd was closed");

        try (TestNetwork net = new TestNetwork()) {
            Path pin = net.bpffs().resolve("program");
            object.program("proto_counter").pin(pin);
            IllegalArgumentException program = assertThrows(IllegalArgumentException.class, () -> BpfMap.openPinned(pin));
            assertTrue(program.getMessage().contains("bpf-prog"), program.getMessage());
            BpfProgram.unpin(pin);
        }
    }
}
