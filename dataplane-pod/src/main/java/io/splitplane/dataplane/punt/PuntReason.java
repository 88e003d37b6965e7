package io.splitplane.dataplane.punt;

import io.splitplane.dataplane.graph.NodeError;
import java.util.List;

/**
 * Why a packet is given back to the kernel. A node that punts writes the reason into the packet's
 * {@code meta1} and sends it to the {@code punt} edge; {@link PuntNode} counts it under the reason's
 * name ({@code graph.errorCount("punt", "ttl-expired")}), so every punt is counted once, by reason,
 * in one place.
 */
public final class PuntReason {
    /** TTL 0 or 1 on a packet to forward: the kernel sends ICMP time exceeded (traceroute). */
    public static final int TTL_EXPIRED = 0;
    /** IPv4 header with options: the kernel processes them (record route, router alert, ...). */
    public static final int OPTIONS = 1;
    /** A fragment (MF set or offset non-zero): the kernel forwards or reassembles it. */
    public static final int FRAGMENT = 2;
    /** The next hop's neighbour is not resolved: the kernel resolves it (and sends the packet). */
    public static final int NO_NEIGHBOUR = 3;
    /** No route in the graph's FIB: the kernel routes it or answers unreachable. */
    public static final int NO_ROUTE = 4;
    /** Unreachable or prohibit route: the kernel answers with the ICMP error. */
    public static final int UNREACHABLE = 5;
    /** The route says so (a route through a device the graph does not own, a throw route). */
    public static final int ROUTE = 6;
    /** UDP to a local address on a port no channel is bound to: the kernel's sockets, or ICMP port unreachable. */
    public static final int NO_CHANNEL = 7;
    /** A local packet that is not UDP (ICMP echo, TCP, ...): the kernel's. */
    public static final int LOCAL_NOT_UDP = 8;
    /** Not IPv4 (ARP, IPv6, ...) or VLAN-tagged: the kernel's. */
    public static final int NOT_IP4 = 9;

    /** Number of reasons; {@link PuntNode}'s own errors follow them. */
    public static final int COUNT = 10;

    private PuntReason() {
    }

    /** The counters of {@link PuntNode}, one per reason, in reason order. */
    static List<NodeError> counters() {
        return List.of(
                NodeError.of("ttl-expired", "punted: TTL 0 or 1 (the kernel sends ICMP time exceeded)"),
                NodeError.of("options", "punted: IPv4 options"),
                NodeError.of("fragment", "punted: IPv4 fragment"),
                NodeError.of("no-neighbour", "punted: next hop not resolved (the kernel resolves it)"),
                NodeError.of("no-route", "punted: no route in the graph"),
                NodeError.of("unreachable", "punted: unreachable/prohibit route (the kernel sends ICMP)"),
                NodeError.of("route", "punted: the route says give it to the kernel"),
                NodeError.of("no-channel", "punted: UDP to a local port no channel is bound to"),
                NodeError.of("local-not-udp", "punted: local packet that is not UDP"),
                NodeError.of("not-ip4", "punted: not IPv4 (ARP, IPv6, VLAN, ...)"));
    }
}
