package io.splitplane.deviceplugin.discovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The NUMA node of a PCI function, from {@code /sys/bus/pci/devices/<address>/numa_node}. Unlike a
 * netdev's sysfs entry, a PCI function's does not depend on the network namespace sysfs was
 * mounted in, so reading it is safe here; the kernel says {@code -1} when the machine has no NUMA.
 */
final class NumaNodes {
    private static final Path PCI_DEVICES = Path.of("/sys/bus/pci/devices");
    private static final Pattern PCI_ADDRESS = Pattern.compile("[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");

    private NumaNodes() {
    }

    static OptionalInt of(String pciAddress) {
        if (pciAddress == null || !PCI_ADDRESS.matcher(pciAddress).matches()) {
            return OptionalInt.empty();
        }
        try {
            int node = Integer.parseInt(Files.readString(PCI_DEVICES.resolve(pciAddress).resolve("numa_node")).strip());
            return node < 0 ? OptionalInt.empty() : OptionalInt.of(node);
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
