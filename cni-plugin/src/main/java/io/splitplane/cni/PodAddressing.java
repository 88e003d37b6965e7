package io.splitplane.cni;

import io.splitplane.cni.result.IpResult;
import io.splitplane.cni.result.RouteResult;
import io.splitplane.kernel.netlink.Address;
import io.splitplane.kernel.netlink.Route;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The IPAM result applied to the pod's interface, as the reference plugins apply it: each address
 * with its prefix, each route out of the interface, via its own gateway or, when it has none, the
 * gateway of the first address of its family.
 */
final class PodAddressing {
    private PodAddressing() {
    }

    /** A CIDR or plain address, parsed without any name lookup. */
    record Cidr(InetAddress address, int prefixLength) {
        static Cidr parse(String text, String what) {
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            InetAddress a = literal(host, what);
            int max = a.getAddress().length * 8;
            int len = max;
            if (slash >= 0) {
                try {
                    len = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    len = -1;
                }
            }
            if (len < 0 || len > max) {
                throw new CniException(CniException.DECODING_FAILURE, "bad prefix in " + what, "'" + text + "'");
            }
            return new Cidr(a, len);
        }
    }

    static InetAddress literal(String text, String what) {
        // Only literals: a name here would make InetAddress ask DNS.
        if (text == null || text.isEmpty() || !text.matches("[0-9A-Fa-f.:]+")) {
            throw new CniException(CniException.DECODING_FAILURE, "bad address in " + what, "'" + text + "'");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new CniException(CniException.DECODING_FAILURE, "bad address in " + what, "'" + text + "'", e);
        }
    }

    static void addAddresses(RtnetlinkSocket pod, int ifindex, List<IpResult> ips) {
        for (IpResult ip : ips) {
            Cidr c = Cidr.parse(ip.address(), "the IPAM result");
            pod.addAddress(ifindex, c.address(), c.prefixLength());
        }
    }

    /** The kernel routes for the result's routes, out of {@code ifindex}. */
    static List<Route> routes(int ifindex, List<IpResult> ips, List<RouteResult> routes) {
        List<Route> out = new ArrayList<>();
        for (RouteResult r : routes) {
            Cidr dst = Cidr.parse(r.dst(), "a route of the IPAM result");
            boolean v6 = dst.address().getAddress().length == 16;
            Optional<InetAddress> gw = Optional.ofNullable(r.gw()).map(g -> literal(g, "a route gateway"));
            if (gw.isEmpty()) {
                gw = ips.stream().filter(ip -> ip.gateway() != null && ip.ipVersion().equals(v6 ? "6" : "4"))
                        .findFirst().map(ip -> literal(ip.gateway(), "a gateway"));
            }
            Route route = gw.isPresent() ? Route.via(dst.address(), dst.prefixLength(), gw.get(), ifindex)
                    : Route.device(dst.address(), dst.prefixLength(), ifindex);
            if (r.table() != null && r.table() != 0) {
                route = route.withTable(r.table());
            }
            if (r.scope() != null) {
                route = route.withScope(r.scope());
            }
            if (r.priority() != null && r.priority() != 0) {
                route = route.withPriority(r.priority());
            }
            out.add(route);
        }
        return out;
    }

    static void addRoutes(RtnetlinkSocket pod, List<Route> routes) {
        for (Route r : routes) {
            pod.addRoute(r);
        }
    }

    /** Whether {@code ips} are all on {@code ifindex}; returns the first missing one, or null. */
    static String missingAddress(RtnetlinkSocket pod, int ifindex, List<IpResult> ips) {
        List<Address> present = pod.addresses().stream().filter(a -> a.ifindex() == ifindex).toList();
        for (IpResult ip : ips) {
            Cidr c = Cidr.parse(ip.address(), "prevResult");
            boolean found = present.stream().anyMatch(a -> a.address().equals(c.address())
                    && a.prefixLength() == c.prefixLength());
            if (!found) {
                return ip.address();
            }
        }
        return null;
    }

    /** The first of {@code wanted} that the pod's routing tables lack, or null. */
    static String missingRoute(RtnetlinkSocket pod, List<Route> wanted) {
        List<Route> present = pod.routes();
        for (Route w : wanted) {
            boolean found = present.stream().anyMatch(p -> p.table() == w.table() && p.dst().equals(w.dst())
                    && p.dstLength() == w.dstLength() && p.oif() == w.oif() && p.gateway().equals(w.gateway()));
            if (!found) {
                return w.prefix() + w.gateway().map(g -> " via " + g.getHostAddress()).orElse("");
            }
        }
        return null;
    }
}
