package io.splitplane.kernel.netlink;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A nexthop object ({@code nhmsg} + {@code NHA_*}), referenced by routes through
 * {@link Route#nexthopId()}. It is one of: a gateway (with or without device), a device, a blackhole,
 * or a group of other nexthops. FRR installs all its routes this way.
 *
 * @param id        {@code NHA_ID}, 1 or more
 * @param family    {@link AddressFamily#INET}/{@link AddressFamily#INET6}; {@link AddressFamily#UNSPEC}
 *                  for groups
 * @param gateway   {@code NHA_GATEWAY}
 * @param ifindex   {@code NHA_OIF}, 0 if none
 * @param blackhole {@code NHA_BLACKHOLE}
 * @param group     members of a group ({@code NHA_GROUP}); empty for a single nexthop
 * @param protocol  {@code nh_protocol} ({@code RTPROT_*}, see {@link Route#PROTOCOL_STATIC})
 * @param flags     {@code nh_flags} ({@code RTNH_F_*}, e.g. {@link Route#RTNH_F_ONLINK})
 */
public record Nexthop(int id, int family, Optional<InetAddress> gateway, int ifindex, boolean blackhole,
                      List<Member> group, int protocol, int flags) {

    public Nexthop {
        if (id <= 0) {
            throw new IllegalArgumentException("nexthop id=" + id + " must be positive");
        }
        Objects.requireNonNull(gateway, "gateway");
        group = List.copyOf(group);
    }

    /** A nexthop via {@code gateway} out of {@code ifindex}. */
    public static Nexthop via(int id, InetAddress gateway, int ifindex) {
        return new Nexthop(id, AddressFamily.of(gateway), Optional.of(gateway), ifindex, false, List.of(),
                Route.PROTOCOL_STATIC, 0);
    }

    /** A directly connected nexthop: packets go out of {@code ifindex} to their own destination. */
    public static Nexthop device(int id, int family, int ifindex) {
        return new Nexthop(id, family, Optional.empty(), ifindex, false, List.of(), Route.PROTOCOL_STATIC, 0);
    }

    /** A nexthop that drops. */
    public static Nexthop blackhole(int id, int family) {
        return new Nexthop(id, family, Optional.empty(), 0, true, List.of(), Route.PROTOCOL_STATIC, 0);
    }

    /** A multipath (hash-threshold) group of existing nexthops. */
    public static Nexthop group(int id, List<Member> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("nexthop group id=" + id + " needs at least one member");
        }
        return new Nexthop(id, AddressFamily.UNSPEC, Optional.empty(), 0, false, members, Route.PROTOCOL_STATIC, 0);
    }

    public Nexthop withProtocol(int protocol) {
        return new Nexthop(id, family, gateway, ifindex, blackhole, group, protocol, flags);
    }

    /** Sets {@code nh_flags} (e.g. {@link Route#RTNH_F_ONLINK}). */
    public Nexthop withFlags(int flags) {
        return new Nexthop(id, family, gateway, ifindex, blackhole, group, protocol, flags);
    }

    public boolean isGroup() {
        return !group.isEmpty();
    }

    /**
     * A group member.
     *
     * @param id     the member nexthop's id
     * @param weight 1 to 65536 (weights above 256 need Linux 6.12)
     */
    public record Member(int id, int weight) {
        public static final int MAX_WEIGHT = 65536;

        public Member {
            if (id <= 0) {
                throw new IllegalArgumentException("group member id=" + id + " must be positive");
            }
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("group member weight=" + weight + " out of range 1.." + MAX_WEIGHT);
            }
        }

        public static Member of(int id, int weight) {
            return new Member(id, weight);
        }
    }
}
