package io.splitplane.dataplane.punt;

import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.bpf.BpfObject;
import io.splitplane.kernel.bpf.BpfProgram;
import io.splitplane.kernel.bpf.TcIngressAttachment;
import io.splitplane.kernel.device.TapDevice;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The way back into the kernel for packets the graph does not handle ("when in doubt, give it to
 * the kernel"), for the ports of one network namespace.
 *
 * <h2>Mechanism</h2>
 * Each port gets a TAP interface ({@code punt<ifindex of the port>}) and a tiny tc ingress program on
 * that TAP ({@code punt_redirect.bpf.c}) that calls {@code bpf_redirect(port ifindex, BPF_F_INGRESS)}.
 * The punt node writes the untouched Ethernet frame into the TAP; the kernel builds an skb on the
 * TAP, the tc program runs, and {@code __bpf_rx_skb} re-targets the skb to the real netdev
 * ({@code skb->dev = port}, {@code skb_scrub_packet} sets {@code pkt_type = PACKET_HOST}) and queues it
 * with {@code netif_rx}. From there the kernel processes it exactly as a frame received on the port:
 * {@code skb_iif} is the port, so rp_filter checks the real interface, ICMP errors (time exceeded,
 * port unreachable) are sourced as plain Linux sources them, forwarding resolves the neighbour on the
 * egress device, and a local socket sees the real ingress interface.
 *
 * <p>Why not a plain TAP: the kernel would believe the frame arrived on the TAP, so rp_filter drops
 * it (the route back to the sender is via the port), and ICMP errors are sourced from the TAP's
 * view, so traceroute through the router differs from plain Linux. Why not a raw socket (CNDP's
 * {@code punt_kernel}): {@code sendto} on an {@code IPPROTO_RAW} socket is the <em>output</em> path:
 * the kernel would not forward the packet, check TTL, or answer for a local port as for a received one.
 *
 * <h2>Loops</h2>
 * {@code netif_rx} does not run a <em>native</em> XDP program again (native XDP runs in the driver's
 * receive path, before an skb exists), so the classifier does not see the punted frame a second time.
 * A classifier attached in <em>generic</em> mode would ({@code do_xdp_generic} runs in
 * {@code __netif_receive_skb_core} for every skb of the device), redirect it to AF_XDP again and loop:
 * the dataplane gives no punt path to a port whose classifier it attached in generic mode (those
 * punts are counted as {@code punt/no-kernel-path} and dropped).
 *
 * <p>The TAP is not persistent: closing this object (or the process dying) removes TAPs, filters
 * and the program. One program and one map ({@code punt_targets}: TAP ifindex -&gt; port ifindex)
 * serve every port of the namespace. Everything here runs in the calling thread's namespace.
 */
public final class PuntPath implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PuntPath.class.getName());
    private static final String OBJECT = "punt_redirect.bpf.o";
    private static final String PROGRAM = "punt_redirect";
    private static final String MAP = "punt_targets";

    private final BpfObject object;
    private final BpfProgram program;
    private final BpfMap targets;
    private final List<PortPuntTap> taps = new ArrayList<>();
    private boolean closed;

    private PuntPath(BpfObject object) {
        this.object = object;
        this.program = object.program(PROGRAM);
        this.targets = object.map(MAP);
    }

    /** Loads the injection program (needs CAP_BPF/CAP_NET_ADMIN). */
    public static PuntPath open() {
        BpfObject object = BpfObject.openResource(PuntPath.class, OBJECT);
        try {
            object.load();
            return new PuntPath(object);
        } catch (RuntimeException | Error e) {
            object.close();
            throw e;
        }
    }

    /**
     * Gives {@code netdev} (in the calling thread's namespace) its kernel path: TAP created, brought up,
     * mapped to the netdev, filter attached. All or nothing.
     */
    public synchronized PortPuntTap addPort(String netdev) {
        Objects.requireNonNull(netdev, "netdev");
        if (closed) {
            throw new IllegalStateException("punt path is closed");
        }
        try (RtnetlinkSocket rtnl = RtnetlinkSocket.open()) {
            int ifindex = rtnl.ifindex(netdev);
            TapDevice tap = TapDevice.create("punt" + ifindex);
            TcIngressAttachment filter = null;
            try {
                quietIpv6(tap.name());
                rtnl.setUp(tap.ifindex(), true);
                targets.update(u32(tap.ifindex()), u32(ifindex), BpfMap.ANY);
                filter = program.attachTcIngress(tap.ifindex());
                PortPuntTap t = new PortPuntTap(netdev, ifindex, tap, filter);
                taps.add(t);
                return t;
            } catch (RuntimeException | Error e) {
                if (filter != null) {
                    filter.close();
                }
                targets.delete(u32(tap.ifindex()));
                tap.close();
                throw e;
            }
        }
    }

    /**
     * The TAP only injects; without IPv6 on it the kernel sends no router solicitations or DAD into a
     * queue nobody reads and adds no fe80::/64 route through it. Best effort: without IPv6 in the
     * kernel there is nothing to turn off. (Net sysctls belong to the calling thread's namespace.)
     */
    private static void quietIpv6(String tap) {
        Path knob = Path.of("/proc/sys/net/ipv6/conf", tap, "disable_ipv6");
        try {
            Files.writeString(knob, "1");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "IPv6 stays on " + tap + ": " + e);
        }
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    /** The ports given a kernel path so far. */
    public synchronized List<PortPuntTap> ports() {
        return List.copyOf(taps);
    }

    /** Removes every TAP and filter, then the program. Stop the workers first. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (int i = taps.size() - 1; i >= 0; i--) {
            try {
                taps.get(i).close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        taps.clear();
        object.close();
        if (failure != null) {
            throw failure;
        }
    }
}
