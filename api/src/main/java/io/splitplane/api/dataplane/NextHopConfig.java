package io.splitplane.api.dataplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;

/**
 * One path of a route.
 *
 * @param via    the gateway (IPv4), or null for a directly connected path (the packet's own
 *               destination is the neighbour)
 * @param port   the egress port's name
 * @param weight ECMP weight 1-65536 (default 1)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NextHopConfig(String via, String port, Integer weight) {
    public NextHopConfig {
        if (via != null) {
            Ip4Text.address("via", via);
        }
        if (port == null || port.isEmpty()) {
            throw InvalidConfigException.field("port", "must be set");
        }
        if (weight == null) {
            weight = 1;
        }
        if (weight < 1 || weight > 65536) {
            throw InvalidConfigException.field("weight", "must be 1-65536, was " + weight);
        }
    }
}
