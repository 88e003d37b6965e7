package io.splitplane.operator.pool;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Which netdevs of a node join the pool: the selector of the device plugin's configuration
 * ({@link io.splitplane.api.deviceplugin.DeviceSelector}), field for field. A netdev must match an
 * entry of every list that is set, and no entry of {@code exclude}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.names) || has(self.drivers) || has(self.pciAddresses) || has(self.macAddresses)",
        message = "selects every netdev (the node's uplink too): set names, drivers, pciAddresses or macAddresses")
public class NetdevSelector extends NetdevList {
    @JsonPropertyDescription("Netdevs the pool never takes, whatever the lists above say (the node's management NIC).")
    private NetdevList exclude;

    @JsonPropertyDescription("Only netdevs without IP addresses (IPv6 link-local ones do not count).")
    private Boolean withoutAddresses;

    public NetdevSelector() {
    }

    public NetdevList getExclude() {
        return exclude;
    }

    public void setExclude(NetdevList exclude) {
        this.exclude = exclude;
    }

    public Boolean getWithoutAddresses() {
        return withoutAddresses;
    }

    public void setWithoutAddresses(Boolean withoutAddresses) {
        this.withoutAddresses = withoutAddresses;
    }
}
