package io.splitplane.kernel.netlink;

import static io.splitplane.kernel.netlink.NetlinkFixture.addr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * NLM_F_DUMP_INTR from the real kernel: an address dump spanning several datagrams, read while
 * another socket keeps changing addresses, gets marked inconsistent; the socket restarts it and
 * still returns a consistent snapshot. (The restart logic itself is unit-tested with crafted
 * replies in {@link RequestExchangeTest}.)
 */
class DumpInterruptTest {
    /** Enough addresses that one dump needs several ~32 KiB datagrams, leaving room for a change between them. */
    private static final int ADDRESSES = 800;
    private static final long DEADLINE_NS = 5_000_000_000L;

    @Test
    void addressDumpInterruptedByConcurrentChangesIsRestartedAndConsistent() throws Exception {
        try (NetlinkFixture fx = new NetlinkFixture();
             RtnetlinkSocket churnSocket = RtnetlinkSocket.open(fx.handle)) {
            int index = fx.vethUp(fx.name("a"), fx.name("b"));
            Set<InetAddress> stable = new HashSet<>();
            for (int i = 0; i < ADDRESSES; i++) {
                InetAddress a = addr("10.1." + (i / 256) + "." + (i % 256));
                fx.socket.addAddress(index, a, 32);
                stable.add(a);
            }
            InetAddress churning = addr("10.9.9.9");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> churnFailure = new AtomicReference<>();
            // Paced, so that most dumps still get through: the point is a restart, not exhausting the retries.
            Thread churn = Thread.ofPlatform().name("address-churn").start(() -> {
                try {
                    while (!stop.get()) {
                        churnSocket.addAddress(index, churning, 32);
                        churnSocket.removeAddress(index, churning, 32);
                        Thread.sleep(1);
                    }
                } catch (Throwable t) {
                    churnFailure.set(t);
                }
            });
            int dumps = 0;
            try {
                long start = System.nanoTime();
                while (fx.socket.dumpRestarts() == 0 && System.nanoTime() - start < DEADLINE_NS) {
                    List<Address> addresses = fx.socket.addresses(AddressFamily.INET);
                    dumps++;
                    Set<InetAddress> seen = new HashSet<>();
                    for (Address a : addresses) {
                        if (a.ifindex() == index && !a.address().equals(churning)) {
                            assertTrue(seen.add(a.address()), "duplicate " + a + " in one dump");
                        }
                    }
                    seen.retainAll(stable);
                    assertEquals(ADDRESSES, seen.size(), "every stable address in every dump");
                }
            } finally {
                stop.set(true);
                churn.join();
            }
            assertNull(churnFailure.get());
            assertTrue(fx.socket.dumpRestarts() > 0, "no NLM_F_DUMP_INTR within 5 s over " + dumps + " dumps");
        }
    }
}
