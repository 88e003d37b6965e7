package io.splitplane.operator.network;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.splitplane.operator.ManagedLabels;
import io.splitplane.operator.pool.XdpPool;
import java.util.HashMap;
import java.util.Map;

/** The NetworkAttachmentDefinition of an XdpNetwork: same name and namespace, owned by it. */
@KubernetesDependent(informer = @Informer(labelSelector = ManagedLabels.SELECTOR))
public class NetworkAttachmentDependent
        extends CRUDKubernetesDependentResource<NetworkAttachmentDefinition, XdpNetwork> {

    public NetworkAttachmentDependent() {
        super(NetworkAttachmentDefinition.class);
    }

    @Override
    protected NetworkAttachmentDefinition desired(XdpNetwork network, Context<XdpNetwork> context) {
        XdpPool pool = XdpNetworkReconciler.pool(network, context);
        String config = CniConfigRenderer.json(CniConfigRenderer.render(network, pool));
        NetworkAttachmentDefinition nad = new NetworkAttachmentDefinition();
        nad.getMetadata().setName(network.getMetadata().getName());
        nad.getMetadata().setNamespace(network.getMetadata().getNamespace());
        nad.getMetadata().setLabels(ManagedLabels.of("network", network.getMetadata().getName()));
        // Multus takes a device of this resource from the pod's allocation and passes it as deviceID.
        nad.getMetadata().setAnnotations(new HashMap<>(Map.of(
                NetworkAttachmentDefinition.RESOURCE_NAME_ANNOTATION, pool.resourceName())));
        nad.setSpec(new NetworkAttachmentDefinition.Spec(config));
        return nad;
    }
}
