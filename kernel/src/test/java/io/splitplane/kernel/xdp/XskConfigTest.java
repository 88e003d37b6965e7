package io.splitplane.kernel.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Configuration is validated before any syscall, with messages that name the field. */
class XskConfigTest {
    private static void rejects(String expected, Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    private static XskConfig.Builder base() {
        return XskConfig.builder().interfaceName("eth0");
    }

    @Test
    void defaultsAreLibxdps() {
        XskConfig c = base().build();
        assertEquals(2048, c.rxRingSize());
        assertEquals(2048, c.txRingSize());
        assertEquals(2048, c.fillRingSize());
        assertEquals(2048, c.completionRingSize());
        assertEquals(XskBindMode.AUTO, c.mode());
        assertEquals(AfXdp.XDP_USE_NEED_WAKEUP, c.bindFlags());
        assertEquals(AfXdp.XDP_COPY | AfXdp.XDP_USE_NEED_WAKEUP, base().mode(XskBindMode.COPY).build().bindFlags());
        assertEquals(AfXdp.XDP_ZEROCOPY, base().mode(XskBindMode.ZEROCOPY).needWakeup(false).build().bindFlags());
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void ringSizesMustBePowersOfTwoInRange() {
        rejects("fillRingSize=100 is not a power of two", () -> base().fillRingSize(100).build());
        rejects("completionRingSize=0 is not a power of two", () -> base().completionRingSize(0).build());
        rejects("rxRingSize=16 is below the minimum 32", () -> base().rxRingSize(16).build());
        rejects("txRingSize=3 is not a power of two", () -> base().txRingSize(3).build());
        rejects("rxRingSize=-8 is not a power of two", () -> base().rxRingSize(-8).build());
        rejects("fillRingSize=33554432 is above the maximum", () -> base().fillRingSize(1 << 25).build());
        rejects("rxRingSize=0 and txRingSize=0", () -> base().rxRingSize(0).txRingSize(0).build());
        assertEquals(0, base().txRingSize(0).build().txRingSize(), "RX-only is fine");
        assertEquals(32, base().ringSizes(32).build().fillRingSize());
    }

    @Test
    void deviceAndQueue() {
        rejects("ifindex=0 is not an interface index", () -> XskConfig.builder().build());
        rejects("ifindex=-2", () -> XskConfig.builder().ifindex(-2).build());
        rejects("interfaceName='this-name-is-too-long'", () -> XskConfig.builder().interfaceName("this-name-is-too-long").build());
        rejects("interfaceName='a/b'", () -> XskConfig.builder().interfaceName("a/b").build());
        rejects("interfaceName=''", () -> XskConfig.builder().interfaceName("").build());
        rejects("queueId=-1 is negative", () -> base().queueId(-1).build());
        rejects("not both", () -> new XskConfig(3, "eth0", 0, 64, 64, 64, 64, XskBindMode.AUTO, true, 0, 0, 0));
        assertEquals(7, XskConfig.builder().interfaceName("x").ifindex(7).build().ifindex(), "last setter wins");
        assertThrows(NullPointerException.class, () -> base().mode(null).build());
    }

    @Test
    void txBudgetAndBusyPoll() {
        rejects("txBudget=16 is outside 32..txRingSize=2048", () -> base().txBudget(16).build());
        rejects("txBudget=4096 is outside", () -> base().txBudget(4096).build());
        rejects("txBudget=64 needs a TX ring", () -> base().txRingSize(0).txBudget(64).build());
        rejects("busyPollUs=-1", () -> base().busyPoll(-1, 0).build());
        rejects("busyPollBudget=-1", () -> base().busyPoll(10, -1).build());
        assertEquals(256, base().txBudget(256).build().txBudget());
    }

    @Test
    void umemConfig() {
        rejects("chunkSize=3000 is not a power of two", () -> UmemConfig.of(16).withChunkSize(3000));
        rejects("chunkSize=1024 is below the kernel minimum 2048", () -> UmemConfig.of(16).withChunkSize(1024));
        rejects("chunkSize=8192 is above PAGE_SIZE=4096", () -> UmemConfig.of(16).withChunkSize(8192));
        rejects("frameCount=0 must be at least 1", () -> UmemConfig.of(0));
        rejects("headroom=-1", () -> UmemConfig.of(16).withHeadroom(-1));
        rejects("headroom=1400 is outside 0..1344 for chunkSize=2048",
                () -> UmemConfig.of(16).withChunkSize(2048).withHeadroom(1400));
        assertEquals(3000, UmemConfig.of(16).withUnalignedChunks(true).withChunkSize(3000).chunkSize(),
                "unaligned chunks need not be powers of two");
        assertEquals(16L * 4096, UmemConfig.of(16).size());
    }
}
