package io.splitplane.cni.result;

/**
 * One {@code routes[]} entry of a result; the fields after {@code gw} exist from 1.1.0 on.
 *
 * @param dst      the destination prefix, e.g. {@code 0.0.0.0/0}
 * @param gw       the gateway, or null for a directly connected route
 * @param mtu      route MTU, or null
 * @param advmss   advertised MSS, or null
 * @param priority metric, or null
 * @param table    routing table, or null for main
 * @param scope    route scope (0 global, 253 link, 254 host), or null
 */
public record RouteResult(String dst, String gw, Integer mtu, Integer advmss, Integer priority, Integer table,
                          Integer scope) {
    public static RouteResult of(String dst, String gw) {
        return new RouteResult(dst, gw, null, null, null, null, null);
    }
}
