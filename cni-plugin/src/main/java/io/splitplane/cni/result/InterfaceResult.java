package io.splitplane.cni.result;

/**
 * One {@code interfaces[]} entry of a result.
 *
 * @param name    the interface name
 * @param mac     its MAC, or null
 * @param mtu     its MTU (written for 1.1.0 and later), or null
 * @param sandbox the network namespace path; null for the host
 */
public record InterfaceResult(String name, String mac, Integer mtu, String sandbox) {
}
