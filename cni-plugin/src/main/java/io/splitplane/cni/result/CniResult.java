package io.splitplane.cni.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.cni.CniException;
import io.splitplane.cni.CniVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of ADD (and the {@code prevResult} of DEL and CHECK), and the abbreviated result of an
 * IPAM delegate (no interfaces). Read leniently, since delegates of any version write it; written in
 * exactly the shape of the version asked for: {@code ips[].version} before 1.0.0, interface MTU and
 * the extra route fields from 1.1.0.
 */
public record CniResult(List<InterfaceResult> interfaces, List<IpResult> ips, List<RouteResult> routes,
                        JsonNode dns) {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
    }

    public static CniResult empty() {
        return new CniResult(List.of(), List.of(), List.of(), null);
    }

    /**
     * Reads a result of any supported version.
     *
     * @param what names the result in errors, e.g. "the IPAM result of host-local"
     * @throws CniException code 6 if it is not a result
     */
    public static CniResult fromJson(JsonNode node, String what) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return empty();
        }
        if (!node.isObject()) {
            throw new CniException(CniException.DECODING_FAILURE, "cannot decode " + what, "not a JSON object: "
                    + node);
        }
        List<InterfaceResult> interfaces = new ArrayList<>();
        for (JsonNode i : array(node, "interfaces", what)) {
            interfaces.add(new InterfaceResult(text(i, "name", what, true), text(i, "mac", what, false),
                    integer(i, "mtu"), text(i, "sandbox", what, false)));
        }
        List<IpResult> ips = new ArrayList<>();
        for (JsonNode ip : array(node, "ips", what)) {
            ips.add(new IpResult(text(ip, "address", what, true), text(ip, "gateway", what, false),
                    integer(ip, "interface")));
        }
        List<RouteResult> routes = new ArrayList<>();
        for (JsonNode r : array(node, "routes", what)) {
            routes.add(new RouteResult(text(r, "dst", what, true), text(r, "gw", what, false), integer(r, "mtu"),
                    integer(r, "advmss"), integer(r, "priority"), integer(r, "table"), integer(r, "scope")));
        }
        JsonNode dns = node.get("dns");
        return new CniResult(interfaces, ips, routes, dns == null || dns.isNull() ? null : dns);
    }

    /** The result JSON for {@code version}. */
    public ObjectNode toJson(String version) {
        boolean v1 = CniVersion.atLeast(version, "1.0.0");
        boolean v11 = CniVersion.atLeast(version, "1.1.0");
        ObjectNode out = JSON.objectNode();
        out.put("cniVersion", version);
        if (!interfaces.isEmpty()) {
            ArrayNode list = out.putArray("interfaces");
            for (InterfaceResult i : interfaces) {
                ObjectNode o = list.addObject();
                o.put("name", i.name());
                putIfSet(o, "mac", i.mac());
                if (v11 && i.mtu() != null && i.mtu() > 0) {
                    o.put("mtu", i.mtu());
                }
                putIfSet(o, "sandbox", i.sandbox());
            }
        }
        if (!ips.isEmpty()) {
            ArrayNode list = out.putArray("ips");
            for (IpResult ip : ips) {
                ObjectNode o = list.addObject();
                if (!v1) {
                    o.put("version", ip.ipVersion());
                }
                o.put("address", ip.address());
                putIfSet(o, "gateway", ip.gateway());
                if (ip.interfaceIndex() != null) {
                    o.put("interface", ip.interfaceIndex());
                }
            }
        }
        if (!routes.isEmpty()) {
            ArrayNode list = out.putArray("routes");
            for (RouteResult r : routes) {
                ObjectNode o = list.addObject();
                o.put("dst", r.dst());
                putIfSet(o, "gw", r.gw());
                if (v11) {
                    putIfSet(o, "mtu", r.mtu());
                    putIfSet(o, "advmss", r.advmss());
                    putIfSet(o, "priority", r.priority());
                    putIfSet(o, "table", r.table());
                    putIfSet(o, "scope", r.scope());
                }
            }
        }
        if (dns != null) {
            out.set("dns", dns.deepCopy());
        }
        return out;
    }

    private static void putIfSet(ObjectNode o, String key, String value) {
        if (value != null && !value.isEmpty()) {
            o.put(key, value);
        }
    }

    private static void putIfSet(ObjectNode o, String key, Integer value) {
        if (value != null && value != 0) {
            o.put(key, value);
        }
    }

    private static Iterable<JsonNode> array(JsonNode node, String key, String what) {
        JsonNode a = node.get(key);
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new CniException(CniException.DECODING_FAILURE, "cannot decode " + what, key + " is not a list");
        }
        return a;
    }

    private static String text(JsonNode node, String key, String what, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new CniException(CniException.DECODING_FAILURE, "cannot decode " + what, "an entry has no '"
                        + key + "': " + node);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new CniException(CniException.DECODING_FAILURE, "cannot decode " + what, "'" + key
                    + "' is not a string: " + node);
        }
        return v.asText();
    }

    private static Integer integer(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || !v.canConvertToInt() ? null : v.asInt();
    }
}
