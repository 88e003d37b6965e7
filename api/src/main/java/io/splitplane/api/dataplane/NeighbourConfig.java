package io.splitplane.api.dataplane;

import io.splitplane.api.InvalidConfigException;

/**
 * A static neighbour (ARP entry) of the dataplane.
 *
 * @param ip   the neighbour's IPv4 address
 * @param mac  its Ethernet address
 * @param port the port it is reached on
 */
public record NeighbourConfig(String ip, String mac, String port) {
    public NeighbourConfig {
        Ip4Text.address("ip", ip);
        Ip4Text.mac("mac", mac);
        if (port == null || port.isEmpty()) {
            throw InvalidConfigException.field("port", "must be set");
        }
    }

    /** The address, host order. */
    public int address() {
        return Ip4Text.address("ip", ip);
    }
}
