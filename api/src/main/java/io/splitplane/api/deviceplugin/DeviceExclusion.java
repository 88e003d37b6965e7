package io.splitplane.api.deviceplugin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import java.util.List;

/**
 * Netdevs a pool never takes, whatever its selector says: a device is excluded when it matches any
 * one entry of any list (the node's management NIC by name, a driver, a PCI or MAC address).
 *
 * @param names        exact names or globs ({@code *}, {@code ?})
 * @param drivers      kernel driver names
 * @param pciAddresses full PCI addresses ({@code 0000:18:00.1})
 * @param macAddresses MAC addresses
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record DeviceExclusion(List<String> names, List<String> drivers, List<String> pciAddresses,
                              List<String> macAddresses) {
    public DeviceExclusion {
        names = DeviceFields.names("names", names);
        drivers = DeviceFields.drivers("drivers", drivers);
        pciAddresses = DeviceFields.pciAddresses("pciAddresses", pciAddresses);
        macAddresses = DeviceFields.macAddresses("macAddresses", macAddresses);
        if (names.isEmpty() && drivers.isEmpty() && pciAddresses.isEmpty() && macAddresses.isEmpty()) {
            throw InvalidConfigException.field("", "excludes nothing: list names, drivers, pciAddresses or"
                    + " macAddresses, or leave 'exclude' out");
        }
    }

    /** Excludes the named devices (exact names or globs). */
    public static DeviceExclusion names(String... names) {
        return new DeviceExclusion(List.of(names), null, null, null);
    }

    /** Whether {@code device} is excluded. */
    public boolean excludes(CandidateDevice device) {
        return DeviceFields.anyNameMatches(names, device.name())
                || device.driver() != null && drivers.contains(device.driver())
                || DeviceFields.containsAddress(pciAddresses, device.pciAddress())
                || DeviceFields.containsAddress(macAddresses, device.mac());
    }
}
