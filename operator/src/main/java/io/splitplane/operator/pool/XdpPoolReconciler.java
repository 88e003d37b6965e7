package io.splitplane.operator.pool;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.operator.InvalidResources;
import io.splitplane.operator.ManagedLabels;
import io.splitplane.operator.OperatorSettings;
import io.splitplane.operator.status.StatusConditions;
import io.splitplane.operator.status.StatusPatch;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reconciles XdpPools: renders all of them into the device plugin's ConfigMap and DaemonSet, and
 * reports per node what the kubelet says the device plugin advertises.
 *
 * <p>Node changes reach every pool (a node whose labels changed may have left one pool for another);
 * the finalizer lets a deleted pool leave the rendered config before it goes.
 */
@ControllerConfiguration(name = XdpPoolReconciler.NAME)
public class XdpPoolReconciler implements Reconciler<XdpPool>, Cleaner<XdpPool> {
    public static final String NAME = "xdppool";

    private final DevicePluginRollout rollout;
    private final OperatorSettings settings;

    public XdpPoolReconciler(DevicePluginRollout rollout, OperatorSettings settings) {
        this.rollout = rollout;
        this.settings = settings;
    }

    @Override
    public List<EventSource<?, XdpPool>> prepareEventSources(EventSourceContext<XdpPool> context) {
        var nodes = new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, XdpPool.class)
                .withName("nodes")
                .withSecondaryToPrimaryMapper(node -> allPools(context))
                .build(), context);
        var daemonSets = new InformerEventSource<>(InformerEventSourceConfiguration.from(DaemonSet.class, XdpPool.class)
                .withName("device-plugin-daemonset")
                .withNamespaces(Set.of(settings.namespace()))
                .withLabelSelector(ManagedLabels.SELECTOR)
                .withSecondaryToPrimaryMapper(ds -> allPools(context))
                .build(), context);
        var configMaps = new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, XdpPool.class)
                .withName("device-plugin-configmap")
                .withNamespaces(Set.of(settings.namespace()))
                .withLabelSelector(ManagedLabels.SELECTOR)
                .withSecondaryToPrimaryMapper(cm -> allPools(context))
                .build(), context);
        return List.of(nodes, daemonSets, configMaps);
    }

    private static Set<ResourceID> allPools(EventSourceContext<XdpPool> context) {
        return context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<XdpPool> reconcile(XdpPool pool, Context<XdpPool> context) {
        List<XdpPool> live = context.getPrimaryCache().list()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
        Map<String, InvalidConfigException> rejected = rollout.apply(live);
        XdpPoolStatus status = status(pool, rejected.get(pool.getMetadata().getName()), nodes(context));
        return StatusPatch.update(pool, status, XdpPool::new);
    }

    @Override
    public DeleteControl cleanup(XdpPool pool, Context<XdpPool> context) {
        List<XdpPool> others = context.getPrimaryCache().list()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> !p.getMetadata().getName().equals(pool.getMetadata().getName())).toList();
        rollout.apply(others);
        return DeleteControl.defaultDelete();
    }

    @SuppressWarnings("unchecked")
    private static List<Node> nodes(Context<XdpPool> context) {
        var source = (InformerEventSource<Node, XdpPool>) context.eventSourceRetriever()
                .getEventSourceFor(Node.class, "nodes");
        return source.list().toList();
    }

    /** The status: the selected nodes' devices as their kubelets report them, and the conditions. */
    static XdpPoolStatus status(XdpPool pool, InvalidConfigException problem, List<Node> allNodes) {
        XdpPoolStatus previous = pool.getStatus();
        XdpPoolStatus status = new XdpPoolStatus();
        long generation = pool.getMetadata().getGeneration() == null ? 0 : pool.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        String resource = pool.resourceName();
        status.setResourceName(resource);
        Map<String, String> selector = pool.getSpec() == null ? null : pool.getSpec().getNodeSelector();
        List<NodeDevices> perNode = new ArrayList<>();
        for (Node node : allNodes) {
            if (!selects(selector, node)) {
                continue;
            }
            perNode.add(new NodeDevices(node.getMetadata().getName(),
                    quantity(node.getStatus() == null ? null : node.getStatus().getCapacity(), resource),
                    quantity(node.getStatus() == null ? null : node.getStatus().getAllocatable(), resource)));
        }
        perNode.sort(Comparator.comparing(NodeDevices::getNode));
        long devices = perNode.stream().mapToLong(NodeDevices::getDevices).sum();
        long allocatable = perNode.stream().mapToLong(NodeDevices::getAllocatable).sum();
        status.setNodes(perNode);
        status.setNodeCount(perNode.size());
        status.setDevices(devices);
        status.setAllocatable(allocatable);
        var conditions = previous == null ? null : previous.getConditions();
        if (problem != null) {
            conditions = StatusConditions.readiness(conditions, false, true, "InvalidSpec",
                    InvalidResources.describe(problem), generation);
        } else if (perNode.isEmpty()) {
            conditions = StatusConditions.readiness(conditions, false, true, "NoNodes",
                    "no node matches spec.nodeSelector " + (selector == null ? "{}" : selector), generation);
        } else if (devices == 0) {
            conditions = StatusConditions.readiness(conditions, false, false, "WaitingForDevices",
                    perNode.size() + " node(s) selected; none advertises " + resource + " yet", generation);
        } else {
            conditions = StatusConditions.readiness(conditions, true, false, "DevicesAdvertised",
                    devices + " device(s) on " + perNode.stream().filter(n -> n.getDevices() > 0).count()
                            + " node(s), " + allocatable + " allocatable", generation);
        }
        status.setConditions(conditions);
        return status;
    }

    static boolean selects(Map<String, String> selector, Node node) {
        if (selector == null || selector.isEmpty()) {
            return true;
        }
        Map<String, String> labels = node.getMetadata().getLabels();
        return labels != null && labels.entrySet().containsAll(selector.entrySet());
    }

    private static long quantity(Map<String, Quantity> resources, String name) {
        if (resources == null || resources.get(name) == null) {
            return 0;
        }
        BigDecimal amount = resources.get(name).getNumericalAmount();
        return amount.longValue();
    }
}
