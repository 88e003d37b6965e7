package io.splitplane.deviceplugin.discovery;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One netdev of a pool as the kubelet sees it: its ID (the host netdev name), whether it can be
 * handed out, and where it sits (NUMA node, PCI function) for topology and preferred allocations.
 *
 * @param id         the netdev's host name, the device ID the kubelet and the CNI use
 * @param healthy    present, up and still selected, or currently handed out to a pod
 * @param numaNode   the NUMA node of its PCI function, empty when unknown or virtual
 * @param pciAddress its PCI function, empty for virtual devices
 */
public record PoolDevice(String id, boolean healthy, OptionalInt numaNode, Optional<String> pciAddress) {
    public PoolDevice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(numaNode, "numaNode");
        Objects.requireNonNull(pciAddress, "pciAddress");
    }

    /** The PCI slot ({@code domain:bus:device}) shared by the functions of one NIC, if any. */
    public Optional<String> pciSlot() {
        return pciAddress.map(a -> a.lastIndexOf('.') > 0 ? a.substring(0, a.lastIndexOf('.')) : a);
    }

    PoolDevice withHealthy(boolean value) {
        return new PoolDevice(id, value, numaNode, pciAddress);
    }
}
