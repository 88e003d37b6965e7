package io.splitplane.operator.dataplane;

import io.fabric8.kubernetes.api.model.apps.Deployment;
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
import io.splitplane.operator.network.XdpNetwork;
import io.splitplane.operator.status.StatusConditions;
import io.splitplane.operator.status.StatusPatch;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reconciles Dataplanes into a ConfigMap (the graph's config) and a Deployment. XdpNetworks are watched
 * so that a Dataplane created before its networks, or whose network moves to another pool, follows.
 */
@ControllerConfiguration(name = DataplaneReconciler.NAME)
@Workflow(dependents = {
        @Dependent(name = "config", type = DataplaneConfigMapDependent.class),
        @Dependent(name = "deployment", type = DataplaneDeploymentDependent.class, dependsOn = "config")
})
public class DataplaneReconciler implements Reconciler<Dataplane> {
    public static final String NAME = "dataplane";
    static final String NETWORKS = "networks";

    @Override
    public List<EventSource<?, Dataplane>> prepareEventSources(EventSourceContext<Dataplane> context) {
        var networks = new InformerEventSource<>(InformerEventSourceConfiguration.from(XdpNetwork.class, Dataplane.class)
                .withName(NETWORKS)
                .withSecondaryToPrimaryMapper(network -> context.getPrimaryCache().list()
                        .filter(d -> d.getMetadata().getNamespace().equals(network.getMetadata().getNamespace()))
                        .filter(d -> d.getSpec() != null && d.getSpec().getNetworks() != null
                                && d.getSpec().getNetworks().stream()
                                .anyMatch(a -> network.getMetadata().getName().equals(a.getNetwork())))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), context);
        return List.of(networks);
    }

    @Override
    public UpdateControl<Dataplane> reconcile(Dataplane dataplane, Context<Dataplane> context) {
        DataplaneStatus status = fresh(dataplane);
        DataplanePlan plan = DataplanePlan.of(dataplane, context);
        status.setNetworks(plan.attachments().stream().map(DataplanePlan.Attachment::network)
                .collect(Collectors.joining(",")));
        Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
        int wanted = dataplane.getSpec().getReplicas() == null ? 1 : dataplane.getSpec().getReplicas();
        int ready = deployment == null || deployment.getStatus() == null
                || deployment.getStatus().getReadyReplicas() == null ? 0 : deployment.getStatus().getReadyReplicas();
        status.setReplicas(wanted);
        status.setReadyReplicas(ready);
        long generation = status.getObservedGeneration();
        if (ready >= wanted) {
            status.setConditions(StatusConditions.readiness(status.getConditions(), true, false, "Available",
                    ready + "/" + wanted + " pods ready", generation));
        } else {
            status.setConditions(StatusConditions.readiness(status.getConditions(), false, false, "Progressing",
                    ready + "/" + wanted + " pods ready", generation));
        }
        return StatusPatch.update(dataplane, status, Dataplane::new);
    }

    /**
     * An invalid Dataplane (an unknown network, more workers than ports) fails while its plan is made,
     * before either dependent is written: the running Deployment stays as it was, the status says what
     * is wrong, and it is not retried until the Dataplane or a network changes.
     */
    @Override
    public ErrorStatusUpdateControl<Dataplane> updateErrorStatus(Dataplane dataplane, Context<Dataplane> context,
                                                                 Exception e) {
        InvalidConfigException invalid = InvalidResources.cause(e);
        DataplaneStatus status = fresh(dataplane);
        if (invalid == null) {
            status.setConditions(StatusConditions.readiness(status.getConditions(), false, true, "ReconcileFailed",
                    String.valueOf(e.getMessage()), status.getObservedGeneration()));
            return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(dataplane, status, Dataplane::new));
        }
        String reason = invalid.reason().startsWith("no XdpNetwork") ? "NetworkNotFound" : "InvalidSpec";
        status.setConditions(StatusConditions.readiness(status.getConditions(), false, true, reason,
                InvalidResources.describe(invalid), status.getObservedGeneration()));
        return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(dataplane, status, Dataplane::new)).withNoRetry();
    }

    private static DataplaneStatus fresh(Dataplane dataplane) {
        DataplaneStatus previous = dataplane.getStatus();
        DataplaneStatus status = new DataplaneStatus();
        if (previous != null) {
            status.setConditions(previous.getConditions());
            status.setReplicas(previous.getReplicas());
            status.setReadyReplicas(previous.getReadyReplicas());
            status.setNetworks(previous.getNetworks());
        }
        Long generation = dataplane.getMetadata().getGeneration();
        status.setObservedGeneration(generation == null ? 0L : generation);
        return status;
    }
}
