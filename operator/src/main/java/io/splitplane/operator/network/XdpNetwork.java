package io.splitplane.operator.network;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.splitplane.operator.pool.XdpPool;

/**
 * A network on an XdpPool's devices: the operator writes a NetworkAttachmentDefinition of the same
 * name, which Multus uses to call the splitplane CNI with one of the pool's netdevs.
 */
@Group(XdpPool.GROUP)
@Version(XdpPool.VERSION)
@ShortNames("xnet")
@AdditionalPrinterColumn(name = "Pool", jsonPath = ".spec.pool", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Resource", jsonPath = ".status.resourceName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "MTU", jsonPath = ".spec.mtu", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class XdpNetwork extends CustomResource<XdpNetworkSpec, XdpNetworkStatus> implements Namespaced {
}
