package io.splitplane.kernel.netlink;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A neighbour (ARP or NDP) entry ({@code ndmsg} + {@code NDA_*}). Its key is
 * {@code (ifindex, family, address)}. Bridge FDB entries ({@code AF_BRIDGE}) are not neighbours and
 * are never reported as such.
 *
 * @param ifindex the interface
 * @param family  {@link AddressFamily#INET} or {@link AddressFamily#INET6}
 * @param address {@code NDA_DST}
 * @param lladdr  {@code NDA_LLADDR} when it is a 6-byte Ethernet address; absent while INCOMPLETE or
 *                after FAILED
 * @param state   {@code NUD_*} bits (e.g. {@link #NUD_REACHABLE})
 * @param flags   {@code NTF_*} bits (e.g. {@link #NTF_ROUTER})
 * @param type    {@code ndm_type}, the route type of the address ({@link RouteType#code()})
 */
public record Neighbour(int ifindex, int family, InetAddress address, Optional<MacAddress> lladdr, int state,
                        int flags, int type) {
    public static final int NUD_NONE = 0x00;
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;

    public static final int NTF_USE = 0x1;
    public static final int NTF_SELF = 0x2;
    public static final int NTF_MASTER = 0x4;
    public static final int NTF_PROXY = 0x8;
    public static final int NTF_EXT_LEARNED = 0x10;
    public static final int NTF_ROUTER = 0x80;

    /** States in which the kernel has a link-layer address it would use to send. */
    private static final int USABLE_STATES = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT;

    public Neighbour {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(lladdr, "lladdr");
    }

    /**
     * Whether a forwarding table should install this entry: a usable state (REACHABLE, STALE, DELAY,
     * PROBE or PERMANENT) and a link-layer address. STALE still forwards, as the kernel does, while it
     * re-confirms in the background; INCOMPLETE, FAILED and NOARP entries are not installed.
     */
    public boolean isUsable() {
        return (state & USABLE_STATES) != 0 && lladdr.isPresent();
    }
}
