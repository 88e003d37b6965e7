package io.splitplane.deviceplugin.discovery;

import io.splitplane.api.deviceplugin.CandidateDevice;
import io.splitplane.kernel.device.NetDevice;
import io.splitplane.kernel.netlink.MacAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A netdev as one scan saw it: what selectors match on, whether it is up, and where it sits.
 *
 * @param candidate what a {@link io.splitplane.api.deviceplugin.DeviceSelector} looks at
 * @param up        administratively up (IFF_UP)
 * @param loopback  the loopback device, never pooled
 * @param rxQueues  receive queues in use (one AF_XDP socket each)
 */
public record ScannedDevice(CandidateDevice candidate, boolean up, boolean loopback, OptionalInt numaNode,
                            Optional<String> pciAddress, int rxQueues) {
    public String name() {
        return candidate.name();
    }

    /** Reduces the kernel module's view of a netdev to a scanned device, reading its NUMA node. */
    public static ScannedDevice of(NetDevice d) {
        Optional<String> pci = d.pciAddress().map(a -> a.toLowerCase(Locale.ROOT));
        CandidateDevice c = new CandidateDevice(d.name(), d.driver().isEmpty() ? null : d.driver(), pci.orElse(null),
                d.mac().map(MacAddress::toString).map(m -> m.toLowerCase(Locale.ROOT)).orElse(null), d.hasAddresses());
        boolean loopback = "lo".equals(d.name());
        return new ScannedDevice(c, d.up(), loopback, pci.map(NumaNodes::of).orElse(OptionalInt.empty()), pci,
                d.rxQueues());
    }
}
