package io.splitplane.dataplane.netlink;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.splitplane.dataplane.Dataplane;
import io.splitplane.dataplane.fib.FibResult;
import io.splitplane.dataplane.fib.Ip4;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.dataplane.testing.MirroredRouter;
import io.splitplane.kernel.testing.Shell;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live traffic follows the kernel: while UDP crosses the graph of a running dataplane, routes and a
 * neighbour are changed with {@code ip} in the router's namespace, and each change steers the very
 * next datagrams (workers keep running; nothing is restarted).
 */
class MirroredForwardingTest {
    private static final int BURST = 500;

    @Test
    void routeAndNeighbourChangesInTheKernelSteerTheGraphsTraffic(@TempDir Path dir) throws Exception {
        try (MirroredRouter r = new MirroredRouter("live", dir, dir.resolve("live.sock"))) {
            Dataplane dp = r.dp;
            // A host behind the sink, reachable only through a route the kernel learns now.
            Shell.ipIn(r.sink, "addr", "add", "10.81.60.1/32", "dev", r.right.b());
            Shell.ipIn(r.rtr, "route", "add", "10.81.60.0/24", "via", "10.81.2.1");
            awaitKind(dp, "10.81.60.0/24", FibResult.KIND_NEXT_HOP);
            try (DatagramChannel receiver = r.nsSink.call(() -> DatagramChannel.open()
                         .bind(new InetSocketAddress(InetAddress.getByName("10.81.60.1"), MirroredRouter.PORT)));
                 DatagramChannel sender = r.nsSrc.call(DatagramChannel::open)) {
                receiver.configureBlocking(false);
                InetSocketAddress target = new InetSocketAddress(InetAddress.getByName("10.81.60.1"), MirroredRouter.PORT);

                long rewritten = rewritten(dp);
                assertEquals(BURST, sendAndCount(sender, receiver, target), "delivered along the new route");
                assertEquals(BURST, rewritten(dp) - rewritten);

                // The route becomes a blackhole: the graph drops, nothing arrives.
                Shell.ipIn(r.rtr, "route", "replace", "blackhole", "10.81.60.0/24");
                awaitKind(dp, "10.81.60.0/24", FibResult.KIND_BLACKHOLE);
                long blackholed = dp.errorCount("ip4-lookup", "blackhole");
                assertEquals(0, sendAndCount(sender, receiver, target));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> dp.errorCount("ip4-lookup", "blackhole") - blackholed == BURST);

                // Deleted: no route covers it in the router; the graph gives the packets to the kernel
                // (punt/no-route), which has no route either.
                Shell.ipIn(r.rtr, "route", "del", "10.81.60.0/24");
                awaitKind(dp, "10.81.60.0/24", FibResult.KIND_NO_ROUTE);
                long noRoute = dp.errorCount("punt", "no-route");
                assertEquals(0, sendAndCount(sender, receiver, target));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> dp.errorCount("punt", "no-route") - noRoute == BURST);

                // Back, but the router's kernel now believes the sink has another MAC: the graph
                // rewrites to it, the frames leave, and the sink's NIC ignores them.
                Shell.ipIn(r.rtr, "route", "add", "10.81.60.0/24", "via", "10.81.2.1");
                Shell.ipIn(r.rtr, "neigh", "replace", "10.81.2.1", "lladdr", "02:00:00:00:66:66", "dev", r.right.a(),
                        "nud", "permanent");
                awaitKind(dp, "10.81.60.0/24", FibResult.KIND_NEXT_HOP);
                await().atMost(Duration.ofSeconds(5)).until(() -> neighbourMac(dp, "10.81.2.1")
                        == io.splitplane.dataplane.fib.Adjacency.parseMac("02:00:00:00:66:66"));
                long sent = txRight(dp);
                assertEquals(0, sendAndCount(sender, receiver, target));
                await().atMost(Duration.ofSeconds(5)).until(() -> txRight(dp) - sent == BURST);

                // The right MAC again: delivered.
                Shell.ipIn(r.rtr, "neigh", "replace", "10.81.2.1", "lladdr", r.sinkMac(), "dev", r.right.a(), "nud",
                        "permanent");
                await().atMost(Duration.ofSeconds(5)).until(() -> neighbourMac(dp, "10.81.2.1")
                        == io.splitplane.dataplane.fib.Adjacency.parseMac(r.sinkMac()));
                assertEquals(BURST, sendAndCount(sender, receiver, target));
            }
        }
    }

    private static void awaitKind(Dataplane dp, String prefix, int kind) {
        String[] p = prefix.split("/");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
            synchronized (dp.tables()) {
                return FibResult.kind(dp.tables().fib().route(Ip4.parse(p[0]), Integer.parseInt(p[1]))) == kind;
            }
        });
    }

    private static long neighbourMac(Dataplane dp, String address) {
        synchronized (dp.tables()) {
            return dp.tables().nextHops().neighbours().mac(1, Ip4.parse(address));
        }
    }

    private static long rewritten(Dataplane dp) {
        return dp.graphs().getFirst().stats().node("ip4-rewrite").packets();
    }

    private static long txRight(Dataplane dp) {
        GraphStats st = dp.graphs().getFirst().stats();
        return st.port("right").get("tx-packets");
    }

    /**
     * Sends {@link #BURST} datagrams in small paced batches, then counts what arrived (waiting up to
     * a second after the last one came in). Pacing keeps the veth and AF_XDP rings from overflowing,
     * so a lost datagram means the graph did not deliver it.
     */
    private static int sendAndCount(DatagramChannel sender, DatagramChannel receiver, InetSocketAddress target)
            throws Exception {
        ByteBuffer in = ByteBuffer.allocate(2048);
        int received = 0;
        for (int i = 0; i < BURST; i++) {
            sender.send(ByteBuffer.wrap(new byte[32]), target);
            if (i % 50 == 49) {
                Thread.sleep(2);
            }
            while (receiver.receive(in.clear()) != null) {
                received++;
            }
        }
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < Duration.ofSeconds(1).toNanos() && received < BURST) {
            if (receiver.receive(in.clear()) != null) {
                received++;
                quietSince = System.nanoTime();
            } else {
                Thread.sleep(1);
            }
        }
        return received;
    }
}
