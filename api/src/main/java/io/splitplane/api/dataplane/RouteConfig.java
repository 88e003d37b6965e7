package io.splitplane.api.dataplane;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * A static route. Forms:
 * <ul>
 * <li>{@code {"prefix": "10.2.0.0/16", "via": "10.1.0.2", "port": "eth1"}}: via a gateway;</li>
 * <li>{@code {"prefix": "10.2.0.0/16", "via": ["10.1.0.2", "10.1.0.3"], "port": "eth1"}}: ECMP over
 *     gateways on one port;</li>
 * <li>{@code {"prefix": "10.1.0.0/24", "port": "eth1"}}: directly connected;</li>
 * <li>{@code {"prefix": "0.0.0.0/0", "nextHops": [{"via": "10.1.0.2", "port": "eth1"},
 *     {"via": "10.3.0.2", "port": "eth3", "weight": 3}]}}: ECMP over ports, weighted;</li>
 * <li>{@code {"prefix": "192.0.2.0/24", "type": "blackhole"}} (or unreachable, prohibit).</li>
 * </ul>
 *
 * @param prefix   {@code a.b.c.d/n}, no host bits
 * @param type     unicast (default), blackhole, unreachable, prohibit
 * @param via      gateway address(es) with {@code port}; a single string or a list
 * @param port     egress port name, with {@code via} or alone (connected)
 * @param nextHops the paths, instead of via/port
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteConfig(String prefix, RouteType type,
                          @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> via,
                          String port, List<NextHopConfig> nextHops) {
    public RouteConfig {
        Ip4Text.prefixLength("prefix", prefix);
        if (type == null) {
            type = RouteType.UNICAST;
        }
        if (type != RouteType.UNICAST) {
            String extra = via != null ? "via" : port != null ? "port" : nextHops != null ? "nextHops" : null;
            if (extra != null) {
                throw InvalidConfigException.field(extra, "a " + type.jsonName() + " route has no next hops");
            }
        } else if (nextHops != null) {
            if (via != null || port != null) {
                throw InvalidConfigException.field(via != null ? "via" : "port",
                        "give either nextHops or via/port, not both");
            }
            if (nextHops.isEmpty()) {
                throw InvalidConfigException.field("nextHops", "must not be empty");
            }
            for (int i = 0; i < nextHops.size(); i++) {
                if (nextHops.get(i) == null) {
                    throw InvalidConfigException.field("nextHops[" + i + "]", "must not be null");
                }
            }
            nextHops = List.copyOf(nextHops);
        } else {
            if (port == null || port.isEmpty()) {
                throw InvalidConfigException.field("port", "must be set (or nextHops, or a type other than unicast)");
            }
            if (via != null) {
                if (via.isEmpty()) {
                    throw InvalidConfigException.field("via", "must not be empty; leave it out for a connected route");
                }
                var seen = new HashSet<String>();
                for (int i = 0; i < via.size(); i++) {
                    Ip4Text.address("via[" + i + "]", via.get(i));
                    if (!seen.add(via.get(i))) {
                        throw InvalidConfigException.field("via[" + i + "]", "gateway " + via.get(i)
                                + " is listed twice");
                    }
                }
                via = List.copyOf(via);
            }
        }
    }

    /** The paths of a unicast route, whichever form it was written in (empty for other types). */
    public List<NextHopConfig> paths() {
        if (type != RouteType.UNICAST) {
            return List.of();
        }
        if (nextHops != null) {
            return nextHops;
        }
        if (via == null) {
            return List.of(new NextHopConfig(null, port, 1));
        }
        List<NextHopConfig> out = new ArrayList<>();
        for (String v : via) {
            out.add(new NextHopConfig(v, port, 1));
        }
        return out;
    }

    /** Prefix length. */
    public int length() {
        return Ip4Text.prefixLength("prefix", prefix);
    }

    /** Prefix address, host order. */
    public int address() {
        return Ip4Text.address("prefix", prefix.substring(0, prefix.indexOf('/')));
    }
}
