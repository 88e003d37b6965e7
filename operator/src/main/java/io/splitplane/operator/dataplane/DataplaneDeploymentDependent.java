package io.splitplane.operator.dataplane;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.splitplane.operator.ManagedLabels;
import io.splitplane.operator.OperatorSettings;
import io.splitplane.operator.RenderedHash;
import jakarta.enterprise.inject.spi.CDI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The Deployment that runs a Dataplane's graph (and its FRR sidecar). */
@KubernetesDependent(informer = @Informer(labelSelector = ManagedLabels.SELECTOR))
public class DataplaneDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, Dataplane> {
    public static final String COMPONENT = "dataplane";
    /** The pod annotation Multus reads the networks from. */
    public static final String MULTUS_NETWORKS = "k8s.v1.cni.cncf.io/networks";
    static final String CONFIG_DIR = "/etc/splitplane/dataplane";

    public DataplaneDeploymentDependent() {
        super(Deployment.class);
    }

    @Override
    protected Deployment desired(Dataplane dataplane, Context<Dataplane> context) {
        // JOSDK creates dependents itself (no constructor injection), so the settings come from CDI here.
        return render(dataplane, DataplanePlan.of(dataplane, context), CDI.current().select(OperatorSettings.class).get());
    }

    /** The Deployment of {@code dataplane} following {@code plan}. */
    public static Deployment render(Dataplane dataplane, DataplanePlan plan, OperatorSettings settings) {
        DataplaneSpec spec = dataplane.getSpec();
        String name = dataplane.getMetadata().getName();
        int metricsPort = spec.getMetricsPort() == null ? DataplaneSpec.DEFAULT_METRICS_PORT : spec.getMetricsPort();
        Map<String, String> labels = ManagedLabels.of(COMPONENT, name);
        Map<String, String> selector = Map.of(ManagedLabels.INSTANCE, name, ManagedLabels.COMPONENT, COMPONENT);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(MULTUS_NETWORKS, plan.multusAnnotation());
        // The graph reads its config at start: a changed config must restart the pods.
        annotations.put(ManagedLabels.RENDERED_HASH, RenderedHash.of(plan.configJson()));
        annotations.put("prometheus.io/scrape", "true");
        annotations.put("prometheus.io/port", Integer.toString(metricsPort));
        Map<String, Quantity> devices = new TreeMap<>();
        plan.resources().forEach((resource, count) -> devices.put(resource, new Quantity(Integer.toString(count))));

        List<Container> containers = new ArrayList<>();
        containers.add(new ContainerBuilder()
                .withName("dataplane")
                .withImage(spec.getImage() != null ? spec.getImage() : settings.images().dataplane())
                .withImagePullPolicy(settings.images().pullPolicy())
                .withArgs("--config", CONFIG_DIR + "/" + DataplaneConfigMapDependent.CONFIG_KEY)
                .addNewPort().withName("metrics").withContainerPort(metricsPort).withProtocol("TCP").endPort()
                .withNewResources().withRequests(devices).withLimits(devices).endResources()
                // AF_XDP sockets need NET_RAW, UMEM pinning IPC_LOCK, opening a pinned XSKMAP BPF.
                .withNewSecurityContext().withNewCapabilities().withAdd("NET_RAW", "IPC_LOCK", "BPF")
                .endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_DIR).withReadOnly(true).endVolumeMount()
                .build());
        FrrSidecar frr = spec.getFrr();
        if (frr != null) {
            containers.add(new ContainerBuilder()
                    .withName("frr")
                    .withImage(frr.getImage() != null ? frr.getImage() : settings.images().frr())
                    .withImagePullPolicy(settings.images().pullPolicy())
                    // zebra installs routes over netlink, ospfd needs raw sockets.
                    .withNewSecurityContext().withNewCapabilities().withAdd("NET_ADMIN", "NET_RAW", "SYS_ADMIN")
                    .endCapabilities().endSecurityContext()
                    .addNewVolumeMount().withName("frr-config").withMountPath("/etc/frr").endVolumeMount()
                    .build());
        }
        DeploymentBuilder d = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(dataplane.getMetadata().getNamespace())
                .withLabels(labels).endMetadata()
                .withNewSpec()
                .withReplicas(spec.getReplicas() == null ? 1 : spec.getReplicas())
                // Devices are scarce: a rolling update would need a second set for the new pod.
                .withNewStrategy().withType("Recreate").endStrategy()
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec()
                .withContainers(containers)
                .addNewVolume().withName("config").withNewConfigMap()
                .withName(DataplaneConfigMapDependent.name(dataplane)).endConfigMap().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec();
        if (frr != null) {
            d.editSpec().editTemplate().editSpec().addNewVolume().withName("frr-config").withNewConfigMap()
                    .withName(frr.getConfigMap()).endConfigMap().endVolume().endSpec().endTemplate().endSpec();
        }
        return d.build();
    }
}
