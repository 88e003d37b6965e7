package io.splitplane.kernel.tour;

import io.splitplane.kernel.bpf.BpfObject;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.TestRunResult;
import io.splitplane.kernel.bpf.XdpAction;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.bpf.XskRedirect;
import io.splitplane.kernel.device.NetDevice;
import io.splitplane.kernel.device.NetDevices;
import io.splitplane.kernel.netlink.Address;
import io.splitplane.kernel.netlink.AddressFamily;
import io.splitplane.kernel.netlink.Link;
import io.splitplane.kernel.netlink.Neighbour;
import io.splitplane.kernel.netlink.Route;
import io.splitplane.kernel.netlink.RtnetlinkEvent;
import io.splitplane.kernel.netlink.RtnetlinkGroup;
import io.splitplane.kernel.netlink.RtnetlinkListener;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netlink.RtnetlinkSubscription;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.xdp.Umem;
import io.splitplane.kernel.xdp.UmemConfig;
import io.splitplane.kernel.xdp.XskBindMode;
import io.splitplane.kernel.xdp.XskConfig;
import io.splitplane.kernel.xdp.XskRedirectProgram;
import io.splitplane.kernel.xdp.XskSocket;
import io.splitplane.kernel.xdp.XskStatistics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The main job at this stage of splitplane: a tour of what the kernel module sees and does on this
 * machine, against the real kernel. It lists the netdevs, builds two namespaces joined by a veth
 * through rtnetlink (watching the events), loads and test-runs the default AF_XDP steering program,
 * and echoes UDP through an AF_XDP socket. Everything it makes it removes, also on Ctrl-C or failure.
 */
public final class KernelTour {
    private static final String NS_A = "sp-tour-a";
    private static final String NS_B = "sp-tour-b";
    private static final String IF_A = "sp-tour0";
    private static final String IF_B = "sp-tour1";
    private static final String IP_A = "10.77.0.1";
    private static final String IP_B = "10.77.0.2";
    private static final int PORT = 7777;
    private static final int DATAGRAMS = 20_000;
    private static final int WINDOW = 64;

    private final PrintStream out = System.out;

    public static void main(String[] args) throws Exception {
        new KernelTour().run();
    }

    private void run() throws Exception {
        AtomicBoolean cleaned = new AtomicBoolean();
        Runnable cleanUp = () -> {
            if (cleaned.compareAndSet(false, true)) {
                NetNamespace.delete(NS_A);
                NetNamespace.delete(NS_B);
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(cleanUp, "tour-cleanup"));
        cleanUp.run(); // a previous run killed hard may have left them
        cleaned.set(false);

        out.println("splitplane kernel tour: what the kernel module sees and does on this machine");
        try {
            showDevices();
            try (NetNamespace a = NetNamespace.create(NS_A); NetNamespace b = NetNamespace.create(NS_B)) {
                int[] ifindex = buildTopology(a, b);
                steerAndEcho(a, b, ifindex[1]);
            }
        } finally {
            cleanUp.run();
            step("cleaned up: namespaces %s and %s deleted (their links with them)", NS_A, NS_B);
        }
    }

    private void showDevices() {
        step("1. network devices of this machine (rtnetlink + ethtool)");
        String format = "   %-12s %-11s %-8s %-13s %3s %3s %-17s %5s %-8s %-5s %s%n";
        out.printf(format, "NAME", "DRIVER", "BUS", "PCI", "RXQ", "TXQ", "MAC", "MTU", "STATE", "XDP", "ADDRESSES");
        for (NetDevice d : NetDevices.list()) {
            out.printf(format, d.name(), orDash(d.driver()), d.bus(), d.pciAddress().orElse("-"), d.rxQueues(),
                    d.txQueues(), d.mac().map(Object::toString).orElse("-"), d.mtu(), d.operState(),
                    d.hasXdpProgram() ? d.xdp().mode() : "-",
                    d.addresses().stream().map(Address::cidr).collect(Collectors.joining(" ")));
        }
    }

    /** Returns the ifindex of each veth end in its namespace. */
    private int[] buildTopology(NetNamespace a, NetNamespace b) throws IOException {
        step("2. two namespaces joined by a veth, built through rtnetlink");
        List<String> events = new ArrayList<>();
        try (RtnetlinkSocket rtnlA = RtnetlinkSocket.open(a); RtnetlinkSocket rtnlB = RtnetlinkSocket.open(b);
             RtnetlinkSubscription watchB = RtnetlinkSubscription.open(b,
                     Set.of(RtnetlinkGroup.LINK, RtnetlinkGroup.IPV4_IFADDR, RtnetlinkGroup.IPV4_ROUTE))) {
            rtnlA.createVeth(IF_A, IF_B, b);
            Link la = rtnlA.link(IF_A).orElseThrow();
            Link lb = rtnlB.link(IF_B).orElseThrow();
            rtnlA.addAddress(la.index(), InetAddress.getByName(IP_A), 24);
            rtnlB.addAddress(lb.index(), InetAddress.getByName(IP_B), 24);
            rtnlA.setUp(la.index(), true);
            rtnlB.setUp(lb.index(), true);
            // Static neighbours: once a socket takes queue 0 every frame on it goes to user space,
            // ARP included, so the kernels must not need to ask.
            rtnlA.setNeighbour(la.index(), InetAddress.getByName(IP_B), lb.mac().orElseThrow(), Neighbour.NUD_PERMANENT);
            rtnlB.setNeighbour(lb.index(), InetAddress.getByName(IP_A), la.mac().orElseThrow(), Neighbour.NUD_PERMANENT);
            out.printf("   %s: %s %s/24 mac %s  <== veth ==>  %s: %s %s/24 mac %s%n", NS_A, IF_A, IP_A,
                    la.mac().orElseThrow(), NS_B, IF_B, IP_B, lb.mac().orElseThrow());

            RtnetlinkListener record = new RtnetlinkListener() {
                @Override
                public void onEvent(RtnetlinkEvent e) {
                    events.add(describe(e));
                }

                @Override
                public void onResyncNeeded() {
                    events.add("resync needed (ENOBUFS)");
                }
            };
            while (watchB.poll(record, Duration.ofMillis(200)) > 0) {
                // drain until quiet
            }
            out.printf("   events seen by a subscription in %s: %d%n", NS_B, events.size());
            events.forEach(e -> out.println("     " + e));
            out.printf("   main table of %s: %s%n", NS_B, rtnlB.routes(AddressFamily.INET, Route.TABLE_MAIN).stream()
                    .map(r -> r.dst().getHostAddress() + "/" + r.dstLength() + " dev " + r.oif())
                    .collect(Collectors.joining(", ")));
            return new int[] {la.index(), lb.index()};
        }
    }

    private void steerAndEcho(NetNamespace a, NetNamespace b, int ifindexB) throws Exception {
        step("3. libbpf: the default AF_XDP steering program");
        try (BpfObject probe = XskRedirect.open()) {
            probe.load();
            TestRunResult r = probe.program(XskRedirect.PROGRAM).testRun(TestRun.repeated(udpFrame(), 1_000_000));
            out.printf("   %s test-run on a %d-byte UDP frame, 1,000,000 runs: verdict %s (no socket bound), %d ns/run%n",
                    XskRedirect.PROGRAM, udpFrame().length, XdpAction.name(r.retval()), r.durationNs());
        }

        step("4. AF_XDP: UDP from %s echoed by a socket on %s queue 0 (raw syscalls, no libxdp)", NS_A, IF_B);
        try (Umem umem = Umem.allocate(UmemConfig.of(4096).withChunkSize(2048));
             XskRedirectProgram program = b.call(() -> XskRedirectProgram.attach(ifindexB, XdpMode.NATIVE_OR_GENERIC));
             XskSocket xsk = b.call(() -> XskSocket.create(XskConfig.builder().ifindex(ifindexB).queueId(0)
                     .ringSizes(2048).mode(XskBindMode.AUTO).needWakeup(true).build(), umem));
             DatagramChannel channel = a.call(() -> DatagramChannel.open()
                     .setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20)
                     .bind(new InetSocketAddress(IP_A, PORT))
                     .connect(new InetSocketAddress(IP_B, PORT)))) {
            out.printf("   program attached in %s mode; socket bound in %s mode, need-wakeup on, UMEM %d x %d B%n",
                    program.mode(), xsk.isZeroCopy() ? "zero-copy" : "copy", umem.frameCount(), umem.chunkSize());
            UdpEchoWorker worker = new UdpEchoWorker(xsk);
            worker.primeFill();
            program.register(0, xsk);

            AtomicBoolean running = new AtomicBoolean(true);
            Thread echo = Thread.ofPlatform().name("tour-xsk-echo").start(() -> {
                while (running.get()) {
                    if (worker.doWork() == 0) {
                        Thread.onSpinWait();
                    }
                }
            });
            long started = System.nanoTime();
            long received = exchange(channel);
            long elapsedNs = System.nanoTime() - started;
            running.set(false);
            echo.join();

            XskStatistics stats = xsk.statistics();
            out.printf("   sent %,d datagrams from %s; the socket echoed %,d; %,d echoes came back intact (%.0f round trips/s)%n",
                    DATAGRAMS, NS_A, worker.echoed(), received, received * 1e9 / elapsedNs);
            out.printf("   program verdicts: %,d redirected, %,d passed; frames not UDP and recycled: %d%n",
                    program.verdictCount(XdpAction.REDIRECT), program.verdictCount(XdpAction.PASS), worker.ignored());
            out.printf("   XDP_STATISTICS: %s%n", stats);
        }
    }

    /**
     * Sends in windows so that nothing can overflow; returns how many echoes came back unchanged. A
     * window whose echoes do not all arrive within a second ends the exchange rather than hanging.
     */
    private static long exchange(DatagramChannel channel) throws IOException {
        ByteBuffer send = ByteBuffer.allocate(64);
        ByteBuffer receive = ByteBuffer.allocate(2048);
        channel.configureBlocking(false);
        long good = 0;
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            for (int sent = 0; sent < DATAGRAMS; ) {
                int burst = Math.min(WINDOW, DATAGRAMS - sent);
                for (int i = 0; i < burst; i++) {
                    send.clear().putLong(sent + i).putLong(~(long) (sent + i)).flip();
                    channel.write(send);
                }
                sent += burst;
                long deadlineNs = System.nanoTime() + 1_000_000_000L;
                for (int got = 0; got < burst; ) {
                    receive.clear();
                    if (channel.receive(receive) != null) {
                        got++;
                        if (receive.position() == 16 && receive.getLong(0) == ~receive.getLong(8)) {
                            good++;
                        }
                    } else if (deadlineNs - System.nanoTime() <= 0) {
                        return good;
                    } else {
                        selector.select(10);
                        selector.selectedKeys().clear();
                    }
                }
            }
        }
        return good;
    }

    /** A 64-byte Ethernet/IPv4/UDP frame for test-runs (checksums need not be right for XDP). */
    private static byte[] udpFrame() {
        ByteBuffer f = ByteBuffer.allocate(64);
        f.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        f.put((byte) 0x45).put((byte) 0).putShort((short) 50).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0);
        f.put(new byte[] {10, 77, 0, 1, 10, 77, 0, 2});
        f.putShort((short) PORT).putShort((short) PORT).putShort((short) 30).putShort((short) 0);
        return f.array();
    }

    private static String describe(RtnetlinkEvent e) {
        return switch (e) {
            case RtnetlinkEvent.LinkChanged c -> "link " + c.link().name() + " " + c.link().operState();
            case RtnetlinkEvent.AddressAdded c -> "address " + c.address().cidr() + " added";
            case RtnetlinkEvent.RouteAdded c -> "route " + c.route().dst().getHostAddress() + "/" + c.route().dstLength() + " table " + c.route().table() + " added";
            default -> e.getClass().getSimpleName();
        };
    }

    private static String orDash(String s) {
        return s.isEmpty() ? "-" : s;
    }

    private void step(String format, Object... args) {
        out.println();
        out.printf(format + "%n", args);
    }
}
