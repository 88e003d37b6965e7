package io.splitplane.dataplane.netlink;

import io.splitplane.kernel.netlink.Link;
import io.splitplane.kernel.netlink.OperState;
import java.util.List;

/**
 * What the agent knows about one netdev the dataplane owns, as of the kernel's last word on it
 * ({@code show interfaces}).
 *
 * @param port      the dataplane port id
 * @param ifindex   the kernel's ifindex
 * @param name      the netdev name
 * @param mac       the link's MAC (0 when it has none)
 * @param mtu       the link's MTU
 * @param up        administratively up
 * @param operState the kernel's operational state
 * @param addresses its IPv4 addresses, {@code a.b.c.d/len}
 */
public record MirroredLink(int port, int ifindex, String name, long mac, int mtu, boolean up, OperState operState,
                           List<String> addresses) {
    public MirroredLink {
        addresses = List.copyOf(addresses);
    }

    static MirroredLink of(int port, Link link, List<String> addresses) {
        long mac = link.mac().map(m -> io.splitplane.dataplane.fib.Adjacency.macOf(m.bytes())).orElse(0L);
        return new MirroredLink(port, link.index(), link.name(), mac, link.mtu(), link.isUp(), link.operState(),
                addresses);
    }
}
