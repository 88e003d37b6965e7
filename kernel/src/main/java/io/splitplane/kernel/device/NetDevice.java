package io.splitplane.kernel.device;

import io.splitplane.kernel.netlink.Address;
import io.splitplane.kernel.netlink.MacAddress;
import io.splitplane.kernel.netlink.OperState;
import io.splitplane.kernel.netlink.XdpState;
import java.net.Inet6Address;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the device plugin and the CNI need to know about a netdev before using it for AF_XDP.
 *
 * @param driver     kernel driver ({@code veth}, {@code ice}, ...); empty when the device has none
 *                   that answers ethtool (loopback)
 * @param bus        the bus of the parent device as netlink names it ({@code "pci"}, {@code "virtio"},
 *                   ...), {@code "virtual"} for devices without one (veth, bridges)
 * @param busAddress the parent device's name on that bus ({@code 0000:3b:00.0}, {@code virtio2})
 * @param pciAddress the PCI function behind the device, also for virtio NICs whose parent is a
 *                   virtio device
 * @param rxQueues   receive queues in use (an AF_XDP socket binds to one of these)
 * @param kind       the virtual link kind ({@code veth}, {@code bridge}, ...), empty for hardware
 * @param addresses  every address on the device, including IPv6 link-local ones
 */
public record NetDevice(int index, String name, String driver, String bus, Optional<String> busAddress,
                        Optional<String> pciAddress, int rxQueues, int txQueues, Optional<MacAddress> mac, int mtu, OperState operState,
                        boolean up, XdpState xdp, Optional<String> kind, List<Address> addresses) {
    public static final String BUS_VIRTUAL = "virtual";

    public NetDevice {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(bus, "bus");
        Objects.requireNonNull(busAddress, "busAddress");
        Objects.requireNonNull(pciAddress, "pciAddress");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(operState, "operState");
        Objects.requireNonNull(xdp, "xdp");
        Objects.requireNonNull(kind, "kind");
        addresses = List.copyOf(addresses);
    }

    /** Whether an XDP program is attached in any mode. */
    public boolean hasXdpProgram() {
        return xdp.isAttached();
    }

    /**
     * Whether the device carries addresses someone configured. IPv6 link-local addresses do not
     * count: the kernel gives one to every Ethernet device that goes up, so they say nothing about
     * whether the device is in use.
     */
    public boolean hasAddresses() {
        return addresses.stream().anyMatch(a -> !(a.address() instanceof Inet6Address v6 && v6.isLinkLocalAddress()));
    }

    /** A device on a hardware bus (a NIC, a VF), as opposed to veth, bridges and the like. */
    public boolean isPhysical() {
        return !BUS_VIRTUAL.equals(bus);
    }
}
