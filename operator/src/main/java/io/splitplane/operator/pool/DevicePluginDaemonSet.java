package io.splitplane.operator.pool;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.splitplane.operator.ManagedLabels;
import io.splitplane.operator.OperatorSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The device plugin's DaemonSet: one pod on every node some pool selects, which installs the CNI
 * plugin on the node (init container) and then runs the device plugin with the rendered config; the
 * device plugin also serves the CNI plugin's calls on a unix socket, so that a call costs no JVM.
 */
public final class DevicePluginDaemonSet {
    public static final String NAME = "splitplane-device-plugin";
    public static final String CONFIG_MAP = "splitplane-device-plugin";
    public static final String CONFIG_KEY = "config.json";
    public static final String COMPONENT = "device-plugin";
    static final String CONFIG_DIR = "/etc/splitplane/device-plugin";
    static final int METRICS_PORT = 9470;
    /** Where the image keeps the CNI launcher, jar and AOT cache that the init container installs. */
    static final String CNI_SOURCE = "/opt/splitplane/cni";
    static final String HOST_CNI_BIN = "/opt/cni/bin";
    /** Where the CNI launcher on the node looks for the daemon first (its default $SPLITPLANE_CNI_SOCKET). */
    static final String CNI_SOCKET = "/run/splitplane/cni.sock";
    // As the cni-plugin build packages them; the jar before its AOT cache (the launcher uses the cache only
    // when it is newer than the jar), the launcher last.
    static final List<String> CNI_FILES = List.of("splitplane.jar", "splitplane.aot", "splitplane");

    private DevicePluginDaemonSet() {
    }

    /**
     * The DaemonSet for {@code pools} (the accepted ones): its pods go to the nodes any of them
     * selects. The config is not part of the pod template: the device plugin watches its config file
     * and reloads it (keeping the old one if the new one is bad), so a pool change updates the
     * ConfigMap and restarts nothing.
     */
    public static DaemonSet desired(OperatorSettings settings, List<XdpPool> pools) {
        Map<String, String> labels = ManagedLabels.of(COMPONENT, NAME);
        Map<String, String> selector = Map.of(ManagedLabels.INSTANCE, NAME, ManagedLabels.COMPONENT, COMPONENT);
        // Each file is copied beside its target and renamed over it: a runtime that executes the
        // plugin while the init container runs sees the old file or the new one, never half of one.
        StringBuilder install = new StringBuilder("set -e");
        for (String f : CNI_FILES) {
            install.append("; cp ").append(CNI_SOURCE).append('/').append(f).append(" /host").append(HOST_CNI_BIN)
                    .append("/.").append(f).append(".tmp && mv -f /host").append(HOST_CNI_BIN).append("/.").append(f)
                    .append(".tmp /host").append(HOST_CNI_BIN).append('/').append(f);
        }
        String pullPolicy = settings.images().pullPolicy();
        DaemonSetBuilder ds = new DaemonSetBuilder()
                .withNewMetadata().withName(NAME).withNamespace(settings.namespace()).withLabels(labels).endMetadata()
                .withNewSpec()
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withHostNetwork(true)
                .withAutomountServiceAccountToken(false)
                .withPriorityClassName("system-node-critical")
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewInitContainer()
                .withName("install-cni")
                .withImage(settings.images().devicePlugin()).withImagePullPolicy(pullPolicy)
                .withCommand("/bin/sh", "-c", install.toString())
                .addNewVolumeMount().withName("cni-bin").withMountPath("/host" + HOST_CNI_BIN).endVolumeMount()
                .endInitContainer()
                .addNewContainer()
                .withName("device-plugin")
                .withImage(settings.images().devicePlugin()).withImagePullPolicy(pullPolicy)
                .withArgs("--config", CONFIG_DIR + "/" + CONFIG_KEY, "--node-name", "$(NODE_NAME)",
                        "--metrics-port", Integer.toString(METRICS_PORT), "--cni-socket", CNI_SOCKET)
                .addNewPort().withName("metrics").withContainerPort(METRICS_PORT).withProtocol("TCP").endPort()
                .addNewEnv().withName("NODE_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName")
                .endFieldRef().endValueFrom().endEnv()
                // Discovering netdevs, mounting pins and passing map fds needs the host's network
                // namespace, CAP_BPF and CAP_NET_ADMIN; privileged is what a node agent of this kind gets.
                .withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .addNewVolumeMount().withName("device-plugins").withMountPath("/var/lib/kubelet/device-plugins")
                .endVolumeMount()
                // Pins the CNI makes after this pod started must show up inside it.
                .addNewVolumeMount().withName("bpffs").withMountPath("/sys/fs/bpf")
                .withMountPropagation("HostToContainer").endVolumeMount()
                // The UDS hand-over checks a pod against the kubelet's PodResources API.
                .addNewVolumeMount().withName("pod-resources").withMountPath("/var/lib/kubelet/pod-resources")
                .endVolumeMount()
                .addNewVolumeMount().withName("handover").withMountPath("/run/splitplane").endVolumeMount()
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_DIR).withReadOnly(true).endVolumeMount()
                // The CNI calls it serves (the launcher finds its socket in /run/splitplane) need what a
                // runtime-exec'd plugin has on the node, at the same paths: the pods' network namespaces
                // (made after this pod started, hence the propagation), the IPAM plugins of CNI_PATH, and
                // the plugin's and host-local's state, shared with calls that fall back to a JVM.
                .addNewVolumeMount().withName("netns").withMountPath("/var/run/netns")
                .withMountPropagation("HostToContainer").endVolumeMount()
                .addNewVolumeMount().withName("cni-bin").withMountPath(HOST_CNI_BIN).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("cni-state").withMountPath("/var/lib/cni").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("cni-bin").withNewHostPath().withPath(HOST_CNI_BIN)
                .withType("DirectoryOrCreate").endHostPath().endVolume()
                .addNewVolume().withName("device-plugins").withNewHostPath()
                .withPath("/var/lib/kubelet/device-plugins").withType("Directory").endHostPath().endVolume()
                .addNewVolume().withName("bpffs").withNewHostPath().withPath("/sys/fs/bpf").withType("Directory")
                .endHostPath().endVolume()
                .addNewVolume().withName("pod-resources").withNewHostPath()
                .withPath("/var/lib/kubelet/pod-resources").withType("Directory").endHostPath().endVolume()
                .addNewVolume().withName("handover").withNewHostPath().withPath("/run/splitplane")
                .withType("DirectoryOrCreate").endHostPath().endVolume()
                .addNewVolume().withName("netns").withNewHostPath().withPath("/var/run/netns")
                .withType("DirectoryOrCreate").endHostPath().endVolume()
                .addNewVolume().withName("cni-state").withNewHostPath().withPath("/var/lib/cni")
                .withType("DirectoryOrCreate").endHostPath().endVolume()
                .addNewVolume().withName("config").withNewConfigMap().withName(CONFIG_MAP).endConfigMap().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec();
        List<NodeSelectorTerm> terms = nodeTerms(pools);
        if (terms != null) {
            ds.editSpec().editTemplate().editSpec().withNewAffinity().withNewNodeAffinity()
                    .withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(terms)
                    .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                    .endSpec().endTemplate().endSpec();
        }
        return ds.build();
    }

    /**
     * One node-selector term per pool (terms are ORed, the requirements of a term ANDed), or null when a
     * pool selects every node and the DaemonSet must run everywhere.
     */
    static List<NodeSelectorTerm> nodeTerms(List<XdpPool> pools) {
        List<NodeSelectorTerm> terms = new ArrayList<>();
        for (XdpPool pool : pools) {
            Map<String, String> selector = pool.getSpec().getNodeSelector();
            if (selector == null || selector.isEmpty()) {
                return null;
            }
            NodeSelectorTermBuilder term = new NodeSelectorTermBuilder();
            for (Map.Entry<String, String> e : new TreeMap<>(selector).entrySet()) {
                term.addToMatchExpressions(new NodeSelectorRequirementBuilder().withKey(e.getKey())
                        .withOperator("In").withValues(e.getValue()).build());
            }
            NodeSelectorTerm built = term.build();
            if (!terms.contains(built)) {
                terms.add(built);
            }
        }
        return terms;
    }
}
