package io.splitplane.kernel.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The ledger catches a frame that comes back twice or from the wrong ring; the UMEM maps addresses. */
class FrameLedgerTest {
    @Test
    void framesMoveThroughTheirStates() {
        try (Umem umem = Umem.allocate(UmemConfig.of(8).withChunkSize(2048))) {
            FrameLedger ledger = new FrameLedger(umem);
            assertEquals(8, ledger.count(FrameLedger.USER));
            ledger.toFill(2048);
            // The kernel returns an RX address inside the chunk (headroom + 256), not its base.
            ledger.fromRx(2048 + 256);
            ledger.toTx(2048 + 256);
            assertEquals(1, ledger.count(FrameLedger.KERNEL_TX));
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> ledger.toTx(2048 + 300));
            assertTrue(twice.getMessage().contains("is KERNEL_TX, expected USER"), twice.getMessage());
            assertThrows(IllegalStateException.class, () -> ledger.fromRx(2048 + 256), "RX of a frame never filled");
            ledger.fromCompletion(2048 + 256);
            assertThrows(IllegalStateException.class, () -> ledger.fromCompletion(2048 + 256), "completed twice");
            assertThrows(IllegalStateException.class, () -> ledger.toFill(8 * 2048), "outside the UMEM");
            assertEquals(8, ledger.count(FrameLedger.USER));
        }
    }

    @Test
    void umemAddressesMapToOffsetsAndChunks() {
        try (Umem umem = Umem.allocate(UmemConfig.of(4).withChunkSize(4096).withHeadroom(64))) {
            assertEquals(4 * 4096, umem.memory().byteSize());
            assertEquals(0, umem.memory().address() % UmemLayout.PAGE_SIZE, "page aligned");
            assertEquals(3 * 4096, umem.frameAddress(3));
            assertThrows(IndexOutOfBoundsException.class, () -> umem.frameAddress(4));
            assertEquals(2, umem.frameIndex(2 * 4096 + 320));
            assertEquals(-1, umem.frameIndex(4 * 4096));
            assertEquals(2 * 4096, umem.chunkBase(2 * 4096 + 320));
            assertEquals(64 + 256, umem.dataOffset());
            umem.memory().set(ValueLayout.JAVA_BYTE, umem.offset(4096 + 7), (byte) 42);
            assertEquals(42, umem.frame(4096, 8).get(ValueLayout.JAVA_BYTE, 7));
        }
        try (Umem unaligned = Umem.allocate(UmemConfig.of(4).withUnalignedChunks(true).withChunkSize(3000))) {
            long addr = UmemLayout.unalignedAddress(3000, 256);
            assertEquals(3256, unaligned.offset(addr));
            assertEquals(1, unaligned.frameIndex(addr));
            assertThrows(IllegalArgumentException.class, () -> new FrameLedger(unaligned));
        }
    }

    @Test
    void frameStackIsALifoPool() {
        try (Umem umem = Umem.allocate(UmemConfig.of(4).withChunkSize(2048))) {
            FrameStack s = FrameStack.of(umem);
            assertEquals(4, s.size());
            assertEquals(0, s.pop(), "lowest chunk on top");
            long[] out = new long[8];
            assertEquals(3, s.pop(out, 0, 8));
            assertEquals(FrameStack.EMPTY, s.pop());
            assertEquals(4, s.push(new long[] {1, 2, 3, 4, 5}, 0, 5), "only capacity fits");
            assertTrue(!s.push(9));
        }
    }

    @Test
    void umemClosesOnceAndThenRefusesAccess() {
        Umem umem = Umem.allocate(UmemConfig.of(2).withChunkSize(2048));
        umem.close();
        umem.close();
        assertThrows(IllegalStateException.class, () -> umem.memory().get(ValueLayout.JAVA_BYTE, 0));
    }
}
