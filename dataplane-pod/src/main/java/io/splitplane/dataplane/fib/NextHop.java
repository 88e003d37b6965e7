package io.splitplane.dataplane.fib;

import java.util.Objects;

/**
 * A next hop as the control side defines it (a kernel nexthop object, or one path of a route).
 *
 * @param type    what kind of next hop
 * @param port    egress port index ({@link Type#GATEWAY}, {@link Type#CONNECTED}); 0 for {@link Type#DROP}
 * @param gateway the neighbour to send to ({@link Type#GATEWAY}, host order); 0 otherwise
 */
public record NextHop(Type type, int port, int gateway) {

    /** Next-hop kinds. */
    public enum Type {
        /** Via a gateway on a port: the gateway's MAC comes from the neighbour table. */
        GATEWAY,
        /** Directly connected (a device route): the packet's own destination is the neighbour. */
        CONNECTED,
        /** A blackhole nexthop object: drop. */
        DROP
    }

    public NextHop {
        Objects.requireNonNull(type, "type");
        if (type == Type.DROP) {
            if (port != 0 || gateway != 0) {
                throw new IllegalArgumentException("a drop next hop has no port or gateway, port=" + port
                        + ", gateway=" + Ip4.toString(gateway));
            }
        } else {
            Adjacency.checkPort(port);
            if (type == Type.CONNECTED && gateway != 0) {
                throw new IllegalArgumentException("a connected next hop has no gateway, gateway="
                        + Ip4.toString(gateway));
            }
        }
    }

    /** Via {@code gateway} out of {@code port}. */
    public static NextHop via(final int port, final int gateway) {
        return new NextHop(Type.GATEWAY, port, gateway);
    }

    /** Directly connected on {@code port}. */
    public static NextHop connected(final int port) {
        return new NextHop(Type.CONNECTED, port, 0);
    }

    /** Drop. */
    public static NextHop drop() {
        return new NextHop(Type.DROP, 0, 0);
    }

    @Override
    public String toString() {
        return switch (type) {
            case GATEWAY -> "via " + Ip4.toString(gateway) + " port " + port;
            case CONNECTED -> "connected port " + port;
            case DROP -> "drop";
        };
    }
}
