package io.splitplane.kernel.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/** The address families rtnetlink records carry ({@code AF_*}), and conversions to and from {@link InetAddress}. */
public final class AddressFamily {
    /** Any family: in dumps, "all of them"; for nexthop groups, the required value. */
    public static final int UNSPEC = 0;
    public static final int INET = 2;
    public static final int INET6 = 10;

    private AddressFamily() {
    }

    /** {@link #INET} or {@link #INET6}. */
    public static int of(InetAddress address) {
        Objects.requireNonNull(address, "address");
        return address instanceof Inet4Address ? INET : INET6;
    }

    /** Address length in bytes: 4, 16, or 0 for other families. */
    static int addressLength(int family) {
        return switch (family) {
            case INET -> 4;
            case INET6 -> 16;
            default -> 0;
        };
    }

    /** Bits in an address of {@code family}. */
    static int maxPrefixLength(int family) {
        return addressLength(family) * 8;
    }

    /** The all-zero address of {@code family} (a default route's destination). */
    static InetAddress any(int family) {
        return address(new byte[addressLength(family)]);
    }

    /**
     * The address in {@code bytes} (4 or 16 of them). 16 bytes always give an {@link Inet6Address},
     * even for {@code ::ffff:a.b.c.d}, which {@link InetAddress#getByAddress(byte[])} would silently
     * turn into IPv4 and so change the route's family.
     */
    static InetAddress address(byte[] bytes) {
        try {
            return switch (bytes.length) {
                case 4 -> InetAddress.getByAddress(bytes);
                case 16 -> Inet6Address.getByAddress(null, bytes, -1);
                default -> throw new IllegalArgumentException("address of length=" + bytes.length);
            };
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of length=" + bytes.length, e);
        }
    }

    static String name(int family) {
        return switch (family) {
            case UNSPEC -> "AF_UNSPEC";
            case INET -> "AF_INET";
            case INET6 -> "AF_INET6";
            default -> "AF_" + family;
        };
    }
}
