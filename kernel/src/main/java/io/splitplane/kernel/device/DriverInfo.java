package io.splitplane.kernel.device;

/**
 * What {@code ethtool -i} reports for a netdev.
 *
 * @param driver    kernel driver, e.g. {@code "veth"}, {@code "ice"}, {@code "mlx5_core"}
 * @param busInfo   bus address as the driver reports it: a PCI address such as {@code 0000:3b:00.0}
 *                  for PCI NICs, empty for virtual devices
 */
public record DriverInfo(String driver, String version, String firmwareVersion, String busInfo) {
}
