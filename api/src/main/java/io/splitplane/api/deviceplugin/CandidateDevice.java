package io.splitplane.api.deviceplugin;

/**
 * What a selector looks at on a netdev: the facts the device plugin discovers (through rtnetlink and
 * ethtool) reduced to what {@link DeviceSelector#matches} needs, so the matching rules live next to
 * the schema and the operator could apply them too.
 *
 * @param name         the netdev's name in the host namespace
 * @param driver       the kernel driver ({@code ice}, {@code veth}), or null when unknown
 * @param pciAddress   the PCI address ({@code 0000:18:00.1}, lower case), or null for a virtual device
 * @param mac          the MAC address ({@code 02:00:00:00:00:01}), or null
 * @param hasAddresses whether the netdev carries an IP address other than an IPv6 link-local one
 */
public record CandidateDevice(String name, String driver, String pciAddress, String mac, boolean hasAddresses) {
}
