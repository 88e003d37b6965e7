package io.splitplane.kernel.bpf;

import static io.splitplane.kernel.bpf.TestFrames.u32;
import static io.splitplane.kernel.bpf.TestFrames.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Maps made from user space with {@link BpfMap#create}, and reached by id with {@link BpfMap#openById}. */
class BpfMapCreateTest {
    /** An LPM trie key: prefixlen, then the IPv4 address (network order). */
    private static byte[] lpm4(int prefixLength, int a, int b, int c, int d) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(prefixLength)
                .put((byte) a).put((byte) b).put((byte) c).put((byte) d).array();
    }

    @Test
    void createsAnArrayTheKernelDescribesAsAsked() {
        try (BpfMap map = BpfMap.create(BpfMap.TYPE_ARRAY, "sp_test_array", 4, 16, 3, 0)) {
            assertTrue(map.isOpen());
            assertEquals("sp_test_array", map.name());
            assertEquals(BpfMap.TYPE_ARRAY, map.type());
            assertEquals(4, map.keySize());
            assertEquals(16, map.valueSize());
            assertEquals(3, map.maxEntries());
            assertEquals(3, map.keys().size(), "an array has every index");
            byte[] value = new byte[16];
            value[0] = 42;
            map.update(u32(2), value);
            assertArrayEquals(value, map.lookup(u32(2)).orElseThrow());
            String shown = Shell.run("bpftool", "map", "show", "id", Integer.toString(map.id()));
            assertTrue(shown.contains("array  name sp_test_array  flags 0x0"), shown);
            assertTrue(shown.contains("key 4B  value 16B  max_entries 3"), shown);

            map.close();
            map.close();
            assertFalse(map.isOpen());
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> map.lookup(u32(0)));
            assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
        }
    }

    @Test
    void anMmapableArraySharesItsValuesWithTheMapping() {
        try (BpfMap map = BpfMap.create(BpfMap.TYPE_ARRAY, "sp_test_mmap", 4, 12, 3, BpfMap.F_MMAPABLE);
             Arena arena = Arena.ofConfined()) {
            assertEquals(BpfMap.F_MMAPABLE, map.flags() & BpfMap.F_MMAPABLE);
            MemorySegment values = map.mapValues(arena);
            // Values are 8-aligned: value 2 starts at 2 * 16.
            assertEquals(3 * 16, values.byteSize());
            values.set(ValueLayout.JAVA_INT, 2 * 16 + 4, 0x01020304);
            byte[] seen = map.lookup(u32(2)).orElseThrow();
            assertEquals(0x01020304, ByteBuffer.wrap(seen).order(ByteOrder.nativeOrder()).getInt(4));
            byte[] value = new byte[12];
            value[0] = 7;
            map.update(u32(1), value);
            assertEquals(7, values.get(ValueLayout.JAVA_BYTE, 16));
        }
        try (BpfMap plain = BpfMap.create(BpfMap.TYPE_ARRAY, "sp_test_nommap", 4, 4, 1, 0);
             Arena arena = Arena.ofConfined()) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> plain.mapValues(arena));
            assertTrue(refused.getMessage().contains("not an mmapable ARRAY"), refused.getMessage());
        }
    }

    @Test
    void createsAnLpmTrieWithNoPreallocAndMatchesTheLongestPrefix() {
        try (BpfMap trie = BpfMap.create(BpfMap.TYPE_LPM_TRIE, "sp_test_lpm", 8, 8, 16, BpfMap.F_NO_PREALLOC)) {
            trie.update(lpm4(8, 10, 0, 0, 0), u64(8));
            trie.update(lpm4(16, 10, 1, 0, 0), u64(16));
            // A lookup with the full length finds the longest stored prefix that contains the address.
            assertEquals(16, u64(trie.lookup(lpm4(32, 10, 1, 2, 3)).orElseThrow()));
            assertEquals(8, u64(trie.lookup(lpm4(32, 10, 2, 2, 3)).orElseThrow()));
            assertEquals(Optional.empty(), trie.lookup(lpm4(32, 11, 0, 0, 1)));
            assertEquals(2, trie.keys().size());
            assertTrue(trie.delete(lpm4(16, 10, 1, 0, 0)));
            assertEquals(8, u64(trie.lookup(lpm4(32, 10, 1, 2, 3)).orElseThrow()));
        }
    }

    @Test
    void theKernelsRefusalIsExplained() {
        // LPM tries must not be preallocated.
        BpfException lpm = assertThrows(BpfException.class,
                () -> BpfMap.create(BpfMap.TYPE_LPM_TRIE, "sp_bad_lpm", 8, 8, 16, 0));
        assertEquals(Errno.EINVAL, lpm.errno());
        assertTrue(lpm.getMessage().startsWith("bpf_map_create(sp_bad_lpm) failed: EINVAL"), lpm.getMessage());
        assertTrue(lpm.getMessage().contains("F_NO_PREALLOC"), lpm.getMessage());
        // Array keys are 4 bytes.
        BpfException array = assertThrows(BpfException.class,
                () -> BpfMap.create(BpfMap.TYPE_ARRAY, "sp_bad_array", 8, 8, 1, 0));
        assertEquals(Errno.EINVAL, array.errno());
    }

    @Test
    void argumentsAreCheckedBeforeTheKernelSeesThem() {
        IllegalArgumentException longName = assertThrows(IllegalArgumentException.class,
                () -> BpfMap.create(BpfMap.TYPE_ARRAY, "a_name_too_long_x", 4, 4, 1, 0));
        assertEquals("a map name needs 1 to 15 letters, digits, '_' or '.', name='a_name_too_long_x'",
                longName.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BpfMap.create(BpfMap.TYPE_ARRAY, "bad-name", 4, 4, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> BpfMap.create(BpfMap.TYPE_ARRAY, "", 4, 4, 1, 0));
        IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
                () -> BpfMap.create(BpfMap.TYPE_ARRAY, "sp_sizes", 4, 0, 1, 0));
        assertTrue(sizes.getMessage().contains("valueSize=0"), sizes.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BpfMap.openById(0));
    }

    @Test
    void openByIdReachesTheSameMapAndOutlivesTheCreator() {
        BpfMap created = BpfMap.create(BpfMap.TYPE_HASH, "sp_test_hash", 4, 4, 8, 0);
        int id = created.id();
        created.update(u32(1), u32(7));
        try (BpfMap second = BpfMap.openById(id)) {
            created.close(); // the second fd keeps the map alive
            assertEquals(id, second.id());
            assertEquals(7, u32(second.lookup(u32(1)).orElseThrow()));
        }
        // Freed once the last fd is gone (asynchronously, after an RCU grace period).
        long deadline = System.nanoTime() + 5_000_000_000L;
        BpfException gone = null;
        while (gone == null && System.nanoTime() - deadline < 0) {
            try (BpfMap again = BpfMap.openById(id)) {
                Thread.onSpinWait();
            } catch (BpfException e) {
                gone = e;
            }
        }
        assertTrue(gone != null, "map " + id + " still exists");
        assertEquals(Errno.ENOENT, gone.errno());
        assertTrue(gone.getMessage().contains("no map has this id"), gone.getMessage());
    }

    /**
     * A map-in-map of a loaded object takes a created map of the same shape as its value: user space
     * writes the inner map's fd and reads back its id.
     */
    @Test
    void anOuterMapHoldsACreatedInnerMapAndNamesItById() {
        try (BpfMap inner = BpfMap.create(BpfMap.TYPE_ARRAY, "sp_inner", 4, 8, 1, 0)) {
            inner.update(u32(0), u64(99));
            int innerFd = inner.fd();
            try (BpfMap outer = createArrayOfMaps(innerFd)) {
                outer.update(u32(0), u32(innerFd));
                int idInside = u32(outer.lookup(u32(0)).orElseThrow());
                assertEquals(inner.id(), idInside, "a user-space lookup of a map-in-map returns the inner map's id");
                try (BpfMap reached = BpfMap.openById(idInside)) {
                    assertEquals(99, u64(reached.lookup(u32(0)).orElseThrow()));
                }
                BpfException wrongShape;
                try (BpfMap other = BpfMap.create(BpfMap.TYPE_ARRAY, "sp_other", 4, 16, 1, 0)) {
                    wrongShape = assertThrows(BpfException.class, () -> outer.update(u32(0), u32(other.fd())));
                }
                assertEquals(Errno.EINVAL, wrongShape.errno());
            }
        }
    }

    /** An ARRAY_OF_MAPS needs an inner map template at creation, which create() has no option for: use bpftool. */
    private static BpfMap createArrayOfMaps(int innerFd) {
        try (TestNetwork net = new TestNetwork()) {
            Path bpffs = net.bpffs();
            Path innerPin = bpffs.resolve("inner");
            Path outerPin = bpffs.resolve("outer");
            BpfFs.pin(innerFd, innerPin, "inner");
            Shell.run("bpftool", "map", "create", outerPin.toString(), "type", "array_of_maps", "inner_map", "pinned",
                    innerPin.toString(), "key", "4", "value", "4", "entries", "1", "name", "sp_outer");
            BpfMap outer = BpfMap.openPinned(outerPin);
            BpfMap.unpin(outerPin);
            BpfMap.unpin(innerPin);
            return outer;
        }
    }
}
