package io.splitplane.api.deviceplugin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import java.util.List;

/**
 * Which netdevs of a node belong to a pool. A device is selected when it matches every list that is
 * set (an entry of each: names AND drivers AND ...), is not {@link #exclude excluded}, and, with
 * {@code withoutAddresses}, carries no IP address. At least one of names, drivers, pciAddresses and
 * macAddresses must be set: a selector that takes every netdev would take the node's own uplink.
 * Loopback is never selected.
 *
 * @param names            exact names or globs ({@code *} any run, {@code ?} one character)
 * @param drivers          kernel driver names as ethtool reports them ({@code ice}, {@code veth})
 * @param pciAddresses     full PCI addresses ({@code 0000:18:00.1}), any case
 * @param macAddresses     MAC addresses, any case
 * @param exclude          devices never taken, or null
 * @param withoutAddresses only netdevs without IP addresses (IPv6 link-local ones do not count),
 *                         so a NIC the node itself uses is left alone; null means false
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record DeviceSelector(List<String> names, List<String> drivers, List<String> pciAddresses,
                             List<String> macAddresses, DeviceExclusion exclude,
                             @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean withoutAddresses) {
    public DeviceSelector {
        names = DeviceFields.names("names", names);
        drivers = DeviceFields.drivers("drivers", drivers);
        pciAddresses = DeviceFields.pciAddresses("pciAddresses", pciAddresses);
        macAddresses = DeviceFields.macAddresses("macAddresses", macAddresses);
        if (names.isEmpty() && drivers.isEmpty() && pciAddresses.isEmpty() && macAddresses.isEmpty()) {
            throw InvalidConfigException.field("", "selects every netdev: set at least one of names, drivers,"
                    + " pciAddresses or macAddresses");
        }
        if (withoutAddresses == null) {
            withoutAddresses = false;
        }
    }

    /** Selects the named devices (exact names or globs). */
    public static DeviceSelector names(String... names) {
        return new DeviceSelector(List.of(names), null, null, null, null, null);
    }

    /** Selects the devices of these drivers. */
    public static DeviceSelector drivers(String... drivers) {
        return new DeviceSelector(null, List.of(drivers), null, null, null, null);
    }

    public DeviceSelector withExclude(DeviceExclusion value) {
        return new DeviceSelector(names, drivers, pciAddresses, macAddresses, value, withoutAddresses);
    }

    public DeviceSelector withWithoutAddresses(boolean value) {
        return new DeviceSelector(names, drivers, pciAddresses, macAddresses, exclude, value);
    }

    /** Whether this selector takes {@code device}. */
    public boolean matches(CandidateDevice device) {
        if ("lo".equals(device.name())) {
            return false;
        }
        if (!names.isEmpty() && !DeviceFields.anyNameMatches(names, device.name())) {
            return false;
        }
        if (!drivers.isEmpty() && (device.driver() == null || !drivers.contains(device.driver()))) {
            return false;
        }
        if (!pciAddresses.isEmpty() && !DeviceFields.containsAddress(pciAddresses, device.pciAddress())) {
            return false;
        }
        if (!macAddresses.isEmpty() && !DeviceFields.containsAddress(macAddresses, device.mac())) {
            return false;
        }
        if (withoutAddresses && device.hasAddresses()) {
            return false;
        }
        return exclude == null || !exclude.excludes(device);
    }

    /** The names in {@link #names} that are exact (no wildcard): two pools may not both list one. */
    public List<String> exactNames() {
        return names.stream().filter(n -> !DeviceFields.isPattern(n)).toList();
    }
}
