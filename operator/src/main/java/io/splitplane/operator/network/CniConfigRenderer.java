package io.splitplane.operator.network;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.operator.SpecJson;
import io.splitplane.operator.pool.XdpPool;
import java.util.List;
import java.util.Map;

/** Renders an XdpNetwork into the splitplane CNI's network configuration ({@link NetworkConfig}). */
public final class CniConfigRenderer {
    private static final Map<String, String> PATHS = Map.of("name", "metadata.name", "ipam", "spec.ipam",
            "mtu", "spec.mtu", "xdpAttach", "spec.xdpAttach", "classifier", "spec.rules");

    private CniConfigRenderer() {
    }

    /**
     * The CNI configuration of {@code network} on {@code pool}.
     *
     * @param pool the pool the network names, or null when there is none
     * @throws InvalidConfigException naming the XdpNetwork's field at fault
     */
    public static NetworkConfig render(XdpNetwork network, XdpPool pool) {
        String source = "XdpNetwork " + network.getMetadata().getNamespace() + "/" + network.getMetadata().getName();
        XdpNetworkSpec spec = network.getSpec();
        if (spec == null) {
            throw new InvalidConfigException(source, "spec", "must be set");
        }
        if (pool == null) {
            throw new InvalidConfigException(source, "spec.pool", "no XdpPool '" + spec.getPool() + "'");
        }
        ObjectNode doc = SpecJson.object();
        doc.put("cniVersion", NetworkConfig.CURRENT_VERSION);
        doc.put("name", cniNetworkName(network));
        doc.put("type", NetworkConfig.TYPE);
        // Declared so that Multus passes the allocated netdev in runtimeConfig.deviceID as well.
        doc.putObject("capabilities").put("deviceID", true);
        if (spec.getIpam() != null) {
            doc.set("ipam", SpecJson.tree(spec.getIpam()));
        }
        if (spec.getMtu() != null) {
            doc.put("mtu", spec.getMtu());
        }
        if (spec.getXdpAttach() != null) {
            doc.put("xdpAttach", spec.getXdpAttach().contract().json());
        }
        List<?> rules = spec.getRules() != null ? spec.getRules()
                : pool.getSpec() == null ? null : pool.getSpec().getRules();
        if (rules != null) {
            doc.putObject("classifier").set("rules", SpecJson.tree(rules));
        }
        try {
            return SpecJson.read(doc, NetworkConfig.class, PATHS, source);
        } catch (InvalidConfigException e) {
            String field = e.field().replace("spec.rules.rules", spec.getRules() != null ? "spec.rules"
                    : "(XdpPool " + spec.getPool() + ") spec.rules");
            throw new InvalidConfigException(source, field, e.reason(), e.getCause());
        }
    }

    /** The rendered configuration as the NetworkAttachmentDefinition carries it. */
    public static String json(NetworkConfig config) {
        return ConfigJson.write(config);
    }

    /**
     * The CNI network name: namespace and name, because IPAM plugins key their state by it (host-local's
     * allocations directory) and two namespaces' networks of the same name must not share addresses.
     */
    public static String cniNetworkName(XdpNetwork network) {
        return network.getMetadata().getNamespace() + "." + network.getMetadata().getName();
    }
}
