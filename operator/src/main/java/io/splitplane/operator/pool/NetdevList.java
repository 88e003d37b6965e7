package io.splitplane.operator.pool;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Lists of netdev facts, as a selector and an exclusion share them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetdevList {
    @Size(min = 1, max = 64)
    @JsonPropertyDescription("Interface names or globs (* any run, ? one character): eth1, ens1f*.")
    private List<String> names;

    @Size(min = 1, max = 64)
    @JsonPropertyDescription("Kernel drivers as ethtool reports them: ice, i40e, mlx5_core, veth.")
    private List<String> drivers;

    @Size(min = 1, max = 256)
    @JsonPropertyDescription("Full PCI addresses: 0000:3b:00.0.")
    private List<String> pciAddresses;

    @Size(min = 1, max = 256)
    @JsonPropertyDescription("MAC addresses: 02:00:00:00:00:01.")
    private List<String> macAddresses;

    public NetdevList() {
    }

    public List<String> getNames() {
        return names;
    }

    public void setNames(List<String> names) {
        this.names = names;
    }

    public List<String> getDrivers() {
        return drivers;
    }

    public void setDrivers(List<String> drivers) {
        this.drivers = drivers;
    }

    public List<String> getPciAddresses() {
        return pciAddresses;
    }

    public void setPciAddresses(List<String> pciAddresses) {
        this.pciAddresses = pciAddresses;
    }

    public List<String> getMacAddresses() {
        return macAddresses;
    }

    public void setMacAddresses(List<String> macAddresses) {
        this.macAddresses = macAddresses;
    }
}
