package io.splitplane.operator.network;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.operator.InvalidResources;
import io.splitplane.operator.pool.XdpPool;
import io.splitplane.operator.status.StatusConditions;
import io.splitplane.operator.status.StatusPatch;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reconciles XdpNetworks into NetworkAttachmentDefinitions. The NAD is a managed dependent; the pools
 * are watched so that a network follows its pool's default rules, and one created before its pool
 * comes right when the pool appears.
 */
@ControllerConfiguration(name = XdpNetworkReconciler.NAME)
@Workflow(dependents = @Dependent(type = NetworkAttachmentDependent.class))
public class XdpNetworkReconciler implements Reconciler<XdpNetwork> {
    public static final String NAME = "xdpnetwork";
    static final String POOLS = "pools";

    @Override
    public List<EventSource<?, XdpNetwork>> prepareEventSources(EventSourceContext<XdpNetwork> context) {
        var pools = new InformerEventSource<>(InformerEventSourceConfiguration.from(XdpPool.class, XdpNetwork.class)
                .withName(POOLS)
                .withSecondaryToPrimaryMapper(pool -> context.getPrimaryCache().list()
                        .filter(n -> n.getSpec() != null && pool.getMetadata().getName().equals(n.getSpec().getPool()))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), context);
        return List.of(pools);
    }

    /** The pool {@code network} names, from the operator's cache, or null. */
    @SuppressWarnings("unchecked")
    static XdpPool pool(XdpNetwork network, Context<XdpNetwork> context) {
        if (network.getSpec() == null || network.getSpec().getPool() == null) {
            return null;
        }
        var pools = (InformerEventSource<XdpPool, XdpNetwork>) context.eventSourceRetriever()
                .getEventSourceFor(XdpPool.class, POOLS);
        return pools.get(new ResourceID(network.getSpec().getPool())).orElse(null);
    }

    @Override
    public UpdateControl<XdpNetwork> reconcile(XdpNetwork network, Context<XdpNetwork> context) {
        XdpNetworkStatus status = fresh(network);
        XdpPool pool = pool(network, context);
        status.setResourceName(pool == null ? null : pool.resourceName());
        status.setNetworkAttachmentDefinition(network.getMetadata().getNamespace() + "/"
                + network.getMetadata().getName());
        status.setConditions(StatusConditions.readiness(status.getConditions(), true, false,
                "NetworkAttachmentWritten", "NetworkAttachmentDefinition " + status.getNetworkAttachmentDefinition()
                        + " requests " + status.getResourceName(), status.getObservedGeneration()));
        return StatusPatch.update(network, status, XdpNetwork::new);
    }

    /**
     * Bad input (an invalid rule, a missing pool) stops the workflow before the NAD is written: the last
     * good NAD stays, the status says what is wrong, and nothing is retried until the resource or its
     * pool changes.
     */
    @Override
    public ErrorStatusUpdateControl<XdpNetwork> updateErrorStatus(XdpNetwork network, Context<XdpNetwork> context,
                                                                  Exception e) {
        InvalidConfigException invalid = InvalidResources.cause(e);
        XdpNetworkStatus status = fresh(network);
        if (invalid == null) {
            status.setConditions(StatusConditions.readiness(status.getConditions(), false, true, "ReconcileFailed",
                    String.valueOf(e.getMessage()), status.getObservedGeneration()));
            return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(network, status, XdpNetwork::new));
        }
        String reason = "spec.pool".equals(invalid.field()) ? "PoolNotFound" : "InvalidSpec";
        status.setConditions(StatusConditions.readiness(status.getConditions(), false, true, reason,
                InvalidResources.describe(invalid), status.getObservedGeneration()));
        return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(network, status, XdpNetwork::new)).withNoRetry();
    }

    private static XdpNetworkStatus fresh(XdpNetwork network) {
        XdpNetworkStatus previous = network.getStatus();
        XdpNetworkStatus status = new XdpNetworkStatus();
        if (previous != null) {
            status.setConditions(previous.getConditions());
            status.setResourceName(previous.getResourceName());
            status.setNetworkAttachmentDefinition(previous.getNetworkAttachmentDefinition());
        }
        Long generation = network.getMetadata().getGeneration();
        status.setObservedGeneration(generation == null ? 0L : generation);
        return status;
    }

}
