package io.splitplane.kernel.netlink;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * An interface address ({@code ifaddrmsg} + {@code IFA_*}). Its key is
 * {@code (ifindex, family, address, prefixLength)}.
 *
 * @param ifindex      the interface
 * @param family       {@link AddressFamily#INET} or {@link AddressFamily#INET6}
 * @param address      the local address: {@code IFA_LOCAL}, else {@code IFA_ADDRESS} (IPv6 sends only
 *                     the latter; on point-to-point links {@code IFA_ADDRESS} is the peer)
 * @param prefixLength the prefix length
 * @param scope        {@code RT_SCOPE_*} (see {@link Route#SCOPE_UNIVERSE} and the others)
 * @param flags        {@code IFA_F_*}, from the u32 {@code IFA_FLAGS} when present
 * @param label        {@code IFA_LABEL} (IPv4 only, e.g. {@code eth0:1})
 */
public record Address(int ifindex, int family, InetAddress address, int prefixLength, int scope, int flags,
                      Optional<String> label) {
    public static final int IFA_F_SECONDARY = 0x1;
    public static final int IFA_F_NODAD = 0x2;
    public static final int IFA_F_DADFAILED = 0x8;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;

    public Address {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(label, "label");
    }

    /** IPv6 duplicate address detection has not finished yet: the address cannot be used as a source. */
    public boolean isTentative() {
        return (flags & IFA_F_TENTATIVE) != 0;
    }

    public boolean isSecondary() {
        return (flags & IFA_F_SECONDARY) != 0;
    }

    /** {@code address/prefixLength}, e.g. {@code 10.1.0.1/24}. */
    public String cidr() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
