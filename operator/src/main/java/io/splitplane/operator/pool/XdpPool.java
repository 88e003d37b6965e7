package io.splitplane.operator.pool;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A pool of AF_XDP-capable netdevs on a set of nodes, advertised by the device plugin as the
 * extended resource {@code afxdp/<name>}. Cluster-scoped, like a node policy: the nodes and their
 * devices belong to no namespace.
 */
@Group(XdpPool.GROUP)
@Version(XdpPool.VERSION)
@ShortNames("xpool")
@AdditionalPrinterColumn(name = "Resource", jsonPath = ".status.resourceName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Nodes", jsonPath = ".status.nodeCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Devices", jsonPath = ".status.devices", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Allocatable", jsonPath = ".status.allocatable", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class XdpPool extends CustomResource<XdpPoolSpec, XdpPoolStatus> {
    public static final String GROUP = "splitplane.io";
    public static final String VERSION = "v1alpha1";
    /** The extended-resource domain of every pool: {@code afxdp/<pool>}. */
    public static final String RESOURCE_PREFIX = "afxdp/";

    /** The extended resource the device plugin advertises for this pool. */
    public String resourceName() {
        return RESOURCE_PREFIX + getMetadata().getName();
    }
}
