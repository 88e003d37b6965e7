package io.splitplane.operator.dataplane;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.splitplane.operator.pool.XdpPool;

/**
 * A CNET graph run as a Deployment, attached to XdpNetworks: the operator computes the pod's device
 * requests and Multus annotation, renders the graph's config, and adds the FRR sidecar if asked.
 */
@Group(XdpPool.GROUP)
@Version(XdpPool.VERSION)
@ShortNames("xdp-dataplane")
@AdditionalPrinterColumn(name = "Networks", jsonPath = ".status.networks", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".spec.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Status", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Dataplane extends CustomResource<DataplaneSpec, DataplaneStatus> implements Namespaced {
}
