package io.splitplane.operator.dataplane;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.splitplane.operator.ManagedLabels;
import java.util.Map;

/** The graph's config file of a Dataplane, as a ConfigMap the pod mounts. */
@KubernetesDependent(informer = @Informer(labelSelector = ManagedLabels.SELECTOR))
public class DataplaneConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, Dataplane> {
    public static final String CONFIG_KEY = "dataplane.json";

    public DataplaneConfigMapDependent() {
        super(ConfigMap.class);
    }

    public static String name(Dataplane dataplane) {
        return dataplane.getMetadata().getName() + "-dataplane";
    }

    @Override
    protected ConfigMap desired(Dataplane dataplane, Context<Dataplane> context) {
        DataplanePlan plan = DataplanePlan.of(dataplane, context);
        return new ConfigMapBuilder()
                .withNewMetadata().withName(name(dataplane)).withNamespace(dataplane.getMetadata().getNamespace())
                .withLabels(ManagedLabels.of(DataplaneDeploymentDependent.COMPONENT, dataplane.getMetadata().getName()))
                .endMetadata()
                .withData(Map.of(CONFIG_KEY, plan.configJson()))
                .build();
    }
}
