package io.splitplane.cni.result;

/**
 * One {@code ips[]} entry of a result.
 *
 * @param address   the address with its prefix length, e.g. {@code 10.1.0.5/24}
 * @param gateway   the gateway, or null
 * @param interfaceIndex the index into {@code interfaces[]}, or null (IPAM results leave it out)
 */
public record IpResult(String address, String gateway, Integer interfaceIndex) {
    /** 4 or 6, from the address: what results before 1.0.0 carry as {@code version}. */
    public String ipVersion() {
        return address.indexOf(':') >= 0 ? "6" : "4";
    }

    public IpResult withInterface(Integer index) {
        return new IpResult(address, gateway, index);
    }
}
