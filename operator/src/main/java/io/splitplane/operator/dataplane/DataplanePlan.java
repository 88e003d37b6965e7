package io.splitplane.operator.dataplane;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.api.dataplane.PortConfig;
import io.splitplane.operator.SpecJson;
import io.splitplane.operator.network.XdpNetwork;
import io.splitplane.operator.pool.XdpPool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything a Dataplane turns into, worked out once per reconciliation before anything is written:
 * the attached networks resolved, the graph's config, the pod's device requests and Multus annotation.
 * Both dependents (ConfigMap, Deployment) take it from here, so a bad Dataplane fails before the first
 * of them is touched and never leaves one updated and the other not.
 *
 * @param config      the graph's configuration
 * @param configJson  the same as the ConfigMap carries it
 * @param attachments the resolved attachments, in spec order
 * @param resources   the extended resources the pod requests: {@code afxdp/<pool>} -> count
 */
public record DataplanePlan(DataplaneConfig config, String configJson, List<Attachment> attachments,
                            Map<String, Integer> resources) {
    private static final String CONTEXT_KEY = "dataplane-plan";
    private static final Map<String, String> PATHS = Map.of("name", "metadata.name", "ports", "spec.networks",
            "workers", "spec.workers");

    /** One attached network: its name (the graph port's too), the netdev in the pod, its pool. */
    public record Attachment(String network, String interfaceName, String pool) {
    }

    /** The plan of {@code dataplane}, computed on first use in this reconciliation. */
    static DataplanePlan of(Dataplane dataplane, Context<Dataplane> context) {
        var shared = context.managedWorkflowAndDependentResourceContext();
        DataplanePlan cached = shared.get(CONTEXT_KEY, DataplanePlan.class).orElse(null);
        if (cached == null) {
            cached = resolve(dataplane, name -> network(context, dataplane.getMetadata().getNamespace(), name));
            shared.put(CONTEXT_KEY, cached);
        }
        return cached;
    }

    @SuppressWarnings("unchecked")
    private static XdpNetwork network(Context<Dataplane> context, String namespace, String name) {
        var source = (InformerEventSource<XdpNetwork, Dataplane>) context.eventSourceRetriever()
                .getEventSourceFor(XdpNetwork.class, DataplaneReconciler.NETWORKS);
        return source.get(new ResourceID(name, namespace)).orElse(null);
    }

    /**
     * Works out the plan.
     *
     * @param networks finds an XdpNetwork of the Dataplane's namespace by name, or null
     * @throws InvalidConfigException naming the Dataplane's field at fault
     */
    public static DataplanePlan resolve(Dataplane dataplane, Function<String, XdpNetwork> networks) {
        String source = "Dataplane " + dataplane.getMetadata().getNamespace() + "/" + dataplane.getMetadata().getName();
        DataplaneSpec spec = dataplane.getSpec();
        if (spec == null || spec.getNetworks() == null || spec.getNetworks().isEmpty()) {
            throw new InvalidConfigException(source, "spec.networks", "must list at least one XdpNetwork");
        }
        List<Attachment> attachments = new ArrayList<>();
        Map<String, Integer> seenNetworks = new HashMap<>();
        Map<String, Integer> seenInterfaces = new HashMap<>();
        Map<String, Integer> resources = new LinkedHashMap<>();
        for (int i = 0; i < spec.getNetworks().size(); i++) {
            NetworkAttachment a = spec.getNetworks().get(i);
            String at = "spec.networks[" + i + "]";
            if (a == null || a.getNetwork() == null) {
                throw new InvalidConfigException(source, at + ".network", "must be set");
            }
            Integer first = seenNetworks.putIfAbsent(a.getNetwork(), i);
            if (first != null) {
                throw new InvalidConfigException(source, at + ".network", "network '" + a.getNetwork()
                        + "' is attached twice (spec.networks[" + first + "] too)");
            }
            String ifname = a.getInterfaceName() != null ? a.getInterfaceName() : "xdp" + i;
            first = seenInterfaces.putIfAbsent(ifname, i);
            if (first != null) {
                throw new InvalidConfigException(source, at + ".interfaceName", "interface '" + ifname
                        + "' is used by spec.networks[" + first + "] already");
            }
            XdpNetwork network = networks.apply(a.getNetwork());
            if (network == null || network.getSpec() == null || network.getSpec().getPool() == null) {
                throw new InvalidConfigException(source, at + ".network", "no XdpNetwork '" + a.getNetwork()
                        + "' in namespace " + dataplane.getMetadata().getNamespace());
            }
            String pool = network.getSpec().getPool();
            attachments.add(new Attachment(a.getNetwork(), ifname, pool));
            resources.merge(XdpPool.RESOURCE_PREFIX + pool, 1, Integer::sum);
        }
        DataplaneConfig config = config(dataplane, spec, attachments, source);
        return new DataplanePlan(config, ConfigJson.write(config), List.copyOf(attachments), Map.copyOf(resources));
    }

    private static DataplaneConfig config(Dataplane dataplane, DataplaneSpec spec, List<Attachment> attachments,
                                          String source) {
        int workers = spec.getWorkers() == null ? 1 : spec.getWorkers();
        if (workers < 1) {
            throw new InvalidConfigException(source, "spec.workers", "must be at least 1, was " + workers);
        }
        if (workers > attachments.size()) {
            throw new InvalidConfigException(source, "spec.workers", workers + " workers but " + attachments.size()
                    + " network(s): a worker runs at least one port, so at most " + attachments.size());
        }
        if (spec.getCpus() != null && spec.getCpus().size() != workers) {
            throw new InvalidConfigException(source, "spec.cpus", "lists " + spec.getCpus().size()
                    + " CPUs for " + workers + " worker(s): one CPU per worker");
        }
        ObjectNode doc = SpecJson.object();
        doc.put("name", dataplane.getMetadata().getName());
        ArrayNode ports = doc.putArray("ports");
        for (int i = 0; i < attachments.size(); i++) {
            Attachment a = attachments.get(i);
            // The CNI plugin attached the classifier and pinned its XSKMAP into the directory the
            // device plugin mounts; the dataplane finds it by the netdev it is attached to.
            ObjectNode port = ports.addObject().put("name", a.network()).put("netdev", a.interfaceName())
                    .put("xskMap", PortConfig.XSK_MAP_AUTO);
            List<Integer> queues = spec.getNetworks().get(i).getQueues();
            if (queues != null) {
                port.set("queues", SpecJson.tree(queues));
            }
        }
        // Ports are dealt out to the workers in turn: each worker forwards only among its own ports.
        ArrayNode workerList = doc.putArray("workers");
        for (int w = 0; w < workers; w++) {
            ObjectNode worker = workerList.addObject();
            if (spec.getCpus() != null) {
                worker.putArray("cpus").add(spec.getCpus().get(w));
            }
            ArrayNode names = worker.putArray("ports");
            for (int i = w; i < attachments.size(); i += workers) {
                names.add(attachments.get(i).network());
            }
        }
        // The metrics endpoint listens on the pod's addresses, on the port the Deployment declares.
        int metricsPort = spec.getMetricsPort() == null ? DataplaneSpec.DEFAULT_METRICS_PORT : spec.getMetricsPort();
        doc.putObject("control").put("metrics", "0.0.0.0:" + metricsPort);
        // The pod's kernel (and FRR, when the Dataplane has it) is the control plane: the graph
        // follows its routes and neighbours.
        doc.putObject("mirror").put("kernel", true);
        return SpecJson.read(doc, DataplaneConfig.class, PATHS, source);
    }

    /** The pod annotation Multus reads: the networks, each with the netdev name it gets in the pod. */
    public String multusAnnotation() {
        ArrayNode list = SpecJson.object().arrayNode();
        for (Attachment a : attachments) {
            list.addObject().put("name", a.network()).put("interface", a.interfaceName());
        }
        return list.toString();
    }
}
