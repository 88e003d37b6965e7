package io.splitplane.kernel.device;

import io.splitplane.kernel.netlink.Address;
import io.splitplane.kernel.netlink.Link;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Discovers netdevs and their facts from netlink and ethtool, never from {@code /sys}: sysfs shows
 * the devices of the namespace it was mounted in, not of the calling thread, so it lies as soon as
 * code runs inside another network namespace.
 */
public final class NetDevices {
    private static final Pattern PCI_ADDRESS = Pattern.compile("[0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");

    private NetDevices() {
    }

    /** Every netdev of the calling thread's network namespace, by ifindex. */
    public static List<NetDevice> list() {
        try (RtnetlinkSocket rtnl = RtnetlinkSocket.open()) {
            Map<Integer, List<Address>> addresses = rtnl.addresses().stream()
                    .collect(Collectors.groupingBy(Address::ifindex));
            List<NetDevice> devices = new ArrayList<>();
            for (Link link : rtnl.links()) {
                try {
                    devices.add(describe(link, addresses.getOrDefault(link.index(), List.of())));
                } catch (KernelException e) {
                    // Gone between the dump and the ethtool query: it is not a device any more.
                    if (e.errno() != Errno.ENODEV) {
                        throw e;
                    }
                }
            }
            return devices;
        }
    }

    /** Every netdev of {@code ns}. */
    public static List<NetDevice> list(NetNamespace ns) {
        return ns.call(NetDevices::list);
    }

    /** One netdev of the calling thread's namespace, by name. */
    public static Optional<NetDevice> find(String name) {
        try (RtnetlinkSocket rtnl = RtnetlinkSocket.open()) {
            Optional<Link> link = rtnl.link(name);
            if (link.isEmpty()) {
                return Optional.empty();
            }
            List<Address> addresses = rtnl.addresses().stream().filter(a -> a.ifindex() == link.get().index()).toList();
            return Optional.of(describe(link.get(), addresses));
        }
    }

    /** One netdev of {@code ns}, by name. */
    public static Optional<NetDevice> find(NetNamespace ns, String name) {
        return ns.call(() -> find(name));
    }

    private static NetDevice describe(Link link, List<Address> addresses) {
        Optional<DriverInfo> driver = Ethtool.driverInfo(link.name());
        Optional<Ethtool.Channels> channels = Ethtool.channels(link.name());

        // netlink names the parent device on its bus, which for virtio NICs is the virtio device, not
        // the PCI function behind it; ethtool's bus_info names the PCI function.
        String bus = link.parentBusName().orElse(NetDevice.BUS_VIRTUAL);
        Optional<String> busAddress = link.parentDeviceName();
        Optional<String> pci = driver.map(DriverInfo::busInfo).filter(b -> PCI_ADDRESS.matcher(b).matches())
                .or(() -> "pci".equals(bus) ? busAddress : Optional.empty());
        int rx = channels.map(Ethtool.Channels::rxQueues).filter(n -> n > 0).orElse(link.numRxQueues());
        int tx = channels.map(Ethtool.Channels::txQueues).filter(n -> n > 0).orElse(link.numTxQueues());
        return new NetDevice(link.index(), link.name(), driver.map(DriverInfo::driver).orElse(""), bus, busAddress,
                pci, rx, tx, link.mac(), link.mtu(), link.operState(), link.isUp(), link.xdp(), link.kind(), addresses);
    }
}
