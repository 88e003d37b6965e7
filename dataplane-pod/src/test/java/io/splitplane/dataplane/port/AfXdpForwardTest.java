package io.splitplane.dataplane.port;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.GraphStats;
import io.splitplane.dataplane.graph.GraphWorker;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.graph.PortRxNode;
import io.splitplane.dataplane.graph.PortTxNode;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import io.splitplane.kernel.testing.UdpWindowPump;
import io.splitplane.kernel.xdp.XskBindMode;
import io.splitplane.kernel.xdp.XskRedirectProgram;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two AF_XDP ports on one UMEM, forwarding without a copy: UDP from namespace A enters port x in
 * namespace B, a node rewrites the Ethernet header, port y (another veth, same UMEM and pool)
 * sends it on to namespace C, whose kernel delivers it to a socket. Frame accounting spans both ports.
 *
 * <pre>
 *   A 10.79.1.1 ==veth== x [B: port-rx-x -> l2-rewrite -> port-tx-y] y ==veth== 10.79.2.1 C
 * </pre>
 */
class AfXdpForwardTest {
    private static final int PACKETS = 50_000;
    private static final int WINDOW = 128;
    private static final int PORT = 9200;

    /** Sets the Ethernet addresses of every packet and sends it to edge 1. */
    static final class L2Rewrite extends Node {
        private final byte[] src;
        private final byte[] dst;
        private MemorySegment m;

        L2Rewrite(String next, byte[] src, byte[] dst) {
            super("l2-rewrite", List.of(DROP_NODE, next));
            this.src = src;
            this.dst = dst;
        }

        @Override
        protected void onBuild(Graph graph) {
            m = graph.memory().segment();
        }

        @Override
        protected int process(PacketVector v, int[] nexts) {
            for (int i = 0, n = v.count(); i < n; i++) {
                MemorySegment.copy(dst, 0, m, JAVA_BYTE, v.addr[i], 6);
                MemorySegment.copy(src, 0, m, JAVA_BYTE, v.addr[i] + 6, 6);
            }
            return 1;
        }
    }

    private static byte[] payload(long seq) {
        byte[] p = new byte[16 + (int) (seq % 300)];
        ByteBuffer.wrap(p).putLong(seq);
        for (int i = 8; i < p.length; i++) {
            p[i] = (byte) (seq * 17 + i);
        }
        return p;
    }

    @Test
    @SuppressWarnings("try")
    void forwardsBetweenTwoPortsOnOneUmemWithEveryFrameAccountedFor() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String a = VethLink.namespace(net, "A");
            String b = VethLink.namespace(net, "B");
            String c = VethLink.namespace(net, "C");
            TestNetwork.Veth left = net.veth(a, b);
            TestNetwork.Veth right = net.veth(b, c);
            String x = left.b();
            String y = right.a();
            Shell.ipIn(a, "addr", "add", "10.79.1.1/24", "dev", left.a());
            Shell.ipIn(c, "addr", "add", "10.79.2.1/24", "dev", right.b());
            Shell.ipIn(a, "route", "add", "10.79.2.0/24", "via", "10.79.1.2");
            Shell.ipIn(c, "route", "add", "10.79.1.0/24", "via", "10.79.2.2");
            Shell.ipIn(a, "neigh", "replace", "10.79.1.2", "lladdr", VethLink.mac(b, x), "dev", left.a(), "nud",
                    "permanent");
            Shell.execIn(a, "ethtool", "-K", left.a(), "tx", "off").orThrow();
            byte[] macY = HexFormat.ofDelimiter(":").parseHex(VethLink.mac(b, y));
            byte[] macC = HexFormat.ofDelimiter(":").parseHex(VethLink.mac(c, right.b()));
            int ifindexX = Integer.parseInt(Shell.ipIn(b, "-o", "link", "show", "dev", x).split(":")[0]);

            AfXdpPortConfig configX = AfXdpPortConfig.builder(x).mode(XskBindMode.COPY).frameCount(8192)
                    .ringSize(2048).frameAccounting(true).build();
            AfXdpPortConfig configY = AfXdpPortConfig.builder(y).mode(XskBindMode.COPY).ringSize(2048).build();
            try (NetNamespace nsA = NetNamespace.open(a);
                 NetNamespace nsB = NetNamespace.open(b);
                 NetNamespace nsC = NetNamespace.open(c);
                 XskRedirectProgram program = nsB.call(() -> XskRedirectProgram.attach(ifindexX, XdpMode.NATIVE));
                 AfXdpPort portX = nsB.call(() -> AfXdpPort.open(configX));
                 AfXdpPort portY = nsB.call(() -> AfXdpPort.open(configY, portX));
                 DatagramChannel receiver = nsC.call(() -> DatagramChannel.open()
                         .bind(new InetSocketAddress(InetAddress.getByName("10.79.2.1"), PORT)));
                 DatagramChannel sender = nsA.call(() -> DatagramChannel.open()
                         .connect(new InetSocketAddress(InetAddress.getByName("10.79.2.1"), PORT)))) {
                assertSame(portX.memory(), portY.memory());
                assertSame(portX.pool(), portY.pool());
                assertSame(portX.accounting(), portY.accounting());
                FrameAccounting acct = portX.accounting();
                assertEquals(2 * 2048, acct.kernelRx(), "each FILL ring primed full from the shared pool");

                Graph graph = Graph.builder("fwd").node(new PortRxNode(portX, "l2-rewrite"))
                        .node(new L2Rewrite("port-tx-" + y, macY, macC)).node(new PortTxNode(portY)).build();
                program.register(0, portX.socket(0));

                GraphWorker worker = GraphWorker.builder(graph).start();
                long received;
                try {
                    received = UdpWindowPump.pump(sender, receiver, PACKETS, WINDOW, AfXdpForwardTest::payload);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + ", " + acct + "\n" + graph.stats().format(), e);
                } finally {
                    worker.close();
                }
                if (worker.firstError() != null) {
                    throw new AssertionError("worker failed, " + acct, worker.firstError());
                }
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (acct.kernelTx() > 0 && System.nanoTime() < deadline) {
                    portY.service();
                    Thread.sleep(1);
                }

                GraphStats st = graph.stats();
                System.out.printf("afxdp forward: %s%n%s", acct, st.format());
                assertEquals(PACKETS, received);
                assertEquals(0, acct.graph());
                assertEquals(0, acct.kernelTx());
                assertEquals(portX.framesOnRxRings() + portY.framesOnRxRings(), acct.kernelRx());
                assertEquals(portX.pool().available(), acct.pool());
                assertEquals(8192, acct.pool() + acct.kernelRx());
                assertEquals(PACKETS, st.port(x).get("rx-packets"));
                assertEquals(PACKETS, st.port(y).get("tx-packets"));
                assertEquals(PACKETS, portY.counters().get(PortCounters.COMPLETED));
                assertEquals(0, st.port(y).get("tx-dropped"));
                assertTrue(st.homeRuns() >= st.node("l2-rewrite").calls() * 2, "every vector moved whole");
            }
        }
    }
}
