package io.splitplane.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.classifier.Action;
import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.api.deviceplugin.DevicePluginConfig;
import io.splitplane.api.deviceplugin.PoolConfig;
import io.splitplane.api.handover.XskMapHandover;
import io.splitplane.operator.dataplane.Dataplane;
import io.splitplane.operator.dataplane.DataplaneConfigMapDependent;
import io.splitplane.operator.dataplane.DataplaneDeploymentDependent;
import io.splitplane.operator.dataplane.DataplaneSpec;
import io.splitplane.operator.dataplane.FrrSidecar;
import io.splitplane.operator.dataplane.NetworkAttachment;
import io.splitplane.operator.network.NetworkAttachmentDefinition;
import io.splitplane.operator.network.XdpNetwork;
import io.splitplane.operator.network.XdpNetworkSpec;
import io.splitplane.operator.pool.DevicePluginDaemonSet;
import io.splitplane.operator.pool.Handover;
import io.splitplane.operator.pool.NetdevSelector;
import io.splitplane.operator.pool.XdpPool;
import io.splitplane.operator.pool.XdpPoolSpec;
import io.splitplane.operator.chart.ChartManifests;
import io.splitplane.operator.rbac.ApiRequest;
import io.splitplane.operator.rbac.RbacRules;
import io.splitplane.operator.rbac.RecordedRequests;
import io.splitplane.operator.rules.RuleAction;
import io.splitplane.operator.rules.RuleSpec;
import io.splitplane.operator.status.StatusConditions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator, as it ships (no server-side apply), against fabric8's CRUD mock API server: the
 * scenarios create, change, break and delete the three resources through a client of their own and
 * check the objects the operator writes, parsing rendered configs with the {@code api} records the
 * device plugin, CNI and dataplane read them with. The scenarios run in order and build on each other,
 * like a user's session; the last one checks the chart's RBAC against every request seen.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorScenarioTest {
    static final String OPERATOR_NS = "splitplane-system";
    static final String NS = "demo";
    static final Duration WAIT = Duration.ofSeconds(20);
    /**
     * Permissions the operator uses only when a write meets a conflict, which a run may or may not
     * provoke: JOSDK reads a primary again before it retries a finalizer patch. The chart must grant
     * them (a missing one fails the check when it does happen); an unused one is not an error.
     */
    static final Set<String> ON_CONFLICT_ONLY = Set.of("get splitplane.io/xdppools");

    @KubernetesTestServer
    KubernetesServer server;

    static KubernetesClient user;

    @BeforeEach
    void userClient() {
        if (user == null) {
            user = new KubernetesClientBuilder().withConfig(new ConfigBuilder(server.getClient().getConfiguration())
                    .withUserAgent(RecordedRequests.TEST_USER_AGENT).build()).build();
            user.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                    .create();
            user.apps().deployments().inNamespace(OPERATOR_NS).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("splitplane-operator").withNamespace(OPERATOR_NS).endMetadata()
                    .withNewSpec().withNewSelector().addToMatchLabels("app", "op").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "op").endMetadata().withNewSpec()
                    .addNewContainer().withName("op").withImage("op").endContainer().endSpec().endTemplate()
                    .endSpec().build()).create();
        }
    }

    @AfterEach
    void record() throws InterruptedException {
        RecordedRequests.drain(server);
    }

    // ---------------------------------------------------------------- XdpPool

    @Test
    @Order(1)
    void aPoolRendersTheDevicePluginConfigAndDaemonSetAndReportsItsNodes() {
        user.nodes().resource(node("worker-1", Map.of("splitplane.io/afxdp", "true"), 4, 3)).create();
        user.nodes().resource(node("worker-2", Map.of("splitplane.io/afxdp", "true"), 0, 0)).create();
        user.nodes().resource(node("control", Map.of(), 0, 0)).create();
        XdpPool fast = pool("fast", Map.of("splitplane.io/afxdp", "true"), List.of("ens1f0", "ens1f1"),
                List.of(rule("vxlan", RuleAction.REDIRECT, "udp", "4789")));
        fast.getSpec().setHandover(Handover.UDS);
        user.resource(fast).create();

        DevicePluginConfig config = awaitDevicePluginConfig(c -> c.pools().size() == 1);
        PoolConfig p = config.pools().getFirst();
        assertEquals("fast", p.name());
        assertEquals(List.of("ens1f0", "ens1f1"), p.devices().names());
        assertEquals(XskMapHandover.UDS, p.handover());
        assertEquals("vxlan", p.classifier().rules().getFirst().name());
        assertEquals(Action.REDIRECT, p.classifier().rules().getFirst().action());
        assertEquals(4789, p.classifier().rules().getFirst().dstPorts().from());

        DaemonSet ds = eventually(() -> user.apps().daemonSets().inNamespace(OPERATOR_NS)
                .withName(DevicePluginDaemonSet.NAME).get());
        var pod = ds.getSpec().getTemplate().getSpec();
        assertEquals("ghcr.io/splitplane/device-plugin:0.1.0", pod.getContainers().getFirst().getImage());
        assertEquals(List.of("--config", "/etc/splitplane/device-plugin/config.json", "--node-name", "$(NODE_NAME)",
                "--metrics-port", "9470", "--cni-socket", "/run/splitplane/cni.sock"), pod.getContainers().getFirst().getArgs());
        assertTrue(pod.getHostNetwork());
        assertEquals("install-cni", pod.getInitContainers().getFirst().getName());
        assertTrue(pod.getInitContainers().getFirst().getCommand().getLast().contains("/host/opt/cni/bin/splitplane.jar"));
        assertEquals(List.of("/var/lib/kubelet/device-plugins", "/sys/fs/bpf", "/var/lib/kubelet/pod-resources",
                        "/run/splitplane", "/etc/splitplane/device-plugin", "/var/run/netns", "/opt/cni/bin", "/var/lib/cni"),
                pod.getContainers().getFirst().getVolumeMounts().stream().map(v -> v.getMountPath()).toList());
        var terms = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        assertEquals(1, terms.size());
        assertEquals("splitplane.io/afxdp", terms.getFirst().getMatchExpressions().getFirst().getKey());
        OwnerReference owner = ds.getMetadata().getOwnerReferences().getFirst();
        assertEquals("Deployment", owner.getKind());
        assertEquals("splitplane-operator", owner.getName());

        XdpPool status = awaitPool("fast", s -> s.getStatus() != null && "True".equals(condition(s.getStatus()
                .getConditions(), "Ready")));
        assertEquals("afxdp/fast", status.getStatus().getResourceName());
        assertEquals(2, status.getStatus().getNodeCount());
        assertEquals(4L, status.getStatus().getDevices());
        assertEquals(3L, status.getStatus().getAllocatable());
        assertEquals(List.of("worker-1", "worker-2"), status.getStatus().getNodes().stream()
                .map(n -> n.getNode()).toList());
        assertEquals(status.getMetadata().getGeneration(), status.getStatus().getObservedGeneration());
        assertTrue(status.getMetadata().getFinalizers().stream().anyMatch(f -> f.contains("xdppool")),
                "a finalizer lets the pool leave the config before it goes: " + status.getMetadata().getFinalizers());
    }

    @Test
    @Order(2)
    void poolChangesUpdateTheConfigMapAndDaemonSetInPlace() {
        DaemonSet before = user.apps().daemonSets().inNamespace(OPERATOR_NS).withName(DevicePluginDaemonSet.NAME).get();
        user.resource(pool("slow", Map.of("pool", "slow"), null, null)).create();
        retryingConflicts(() -> user.resources(XdpPool.class).withName("slow").edit(slow -> {
            slow.getSpec().getDevices().setNames(null);
            slow.getSpec().getDevices().setDrivers(List.of("veth"));
            return slow;
        }));

        DevicePluginConfig config = awaitDevicePluginConfig(c -> c.pools().size() == 2
                && c.pools().get(1).devices().drivers().equals(List.of("veth")));
        assertEquals(List.of("fast", "slow"), config.pools().stream().map(PoolConfig::name).toList());

        DaemonSet after = eventually(() -> {
            DaemonSet d = user.apps().daemonSets().inNamespace(OPERATOR_NS).withName(DevicePluginDaemonSet.NAME).get();
            return d.getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
                    .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().size() == 2 ? d : null;
        });
        assertEquals(before.getMetadata().getUid(), after.getMetadata().getUid(), "updated in place, not replaced");
        // The new pool's nodes join the DaemonSet's placement; the config itself reaches running pods
        // through the ConfigMap, which the device plugin reloads without a restart.
        assertEquals(before.getSpec().getTemplate().getSpec().getContainers(),
                after.getSpec().getTemplate().getSpec().getContainers());

        XdpPool noNodes = awaitPool("slow", s -> s.getStatus() != null && s.getStatus().getObservedGeneration() != null
                && s.getStatus().getObservedGeneration().equals(s.getMetadata().getGeneration()));
        assertEquals("True", condition(noNodes.getStatus().getConditions(), "Degraded"));
        assertEquals("NoNodes", reason(noNodes.getStatus().getConditions(), "Degraded"));
    }

    @Test
    @Order(3)
    void nodeStatusReachesThePoolStatus() {
        retryingConflicts(() -> {
            Node worker2 = user.nodes().withName("worker-2").get();
            worker2.getStatus().setCapacity(Map.of("afxdp/fast", new Quantity("2")));
            worker2.getStatus().setAllocatable(Map.of("afxdp/fast", new Quantity("2")));
            user.nodes().resource(worker2).updateStatus();
        });
        XdpPool fast = awaitPool("fast", p -> p.getStatus().getDevices() == 6L);
        assertEquals(5L, fast.getStatus().getAllocatable());
    }

    @Test
    @Order(4)
    void anInvalidPoolGetsAConditionAndLeavesTheOthersAlone() {
        // Passes the schema, but the classifier has no ports for ICMP.
        user.resource(pool("icmp", Map.of(), List.of("ens2"), List.of(rule("ping", RuleAction.PASS, "icmp", "53"))))
                .create();
        // Takes a netdev the older pool "fast" lists by name.
        user.resource(pool("clash", Map.of(), List.of("ens3", "ens1f1"), null)).create();

        XdpPool icmp = awaitPool("icmp", p -> p.getStatus() != null && p.getStatus().getConditions() != null);
        assertEquals("InvalidSpec", reason(icmp.getStatus().getConditions(), "Degraded"));
        assertEquals("spec.rules[0].dstPorts: protocol icmp has no ports (ports exist for udp, tcp and sctp)",
                message(icmp.getStatus().getConditions(), "Degraded"));
        XdpPool clash = awaitPool("clash", p -> p.getStatus() != null && p.getStatus().getConditions() != null);
        assertEquals("spec.devices.names[1]: netdev 'ens1f1' is already in pool 'fast' (a netdev belongs to at most"
                + " one pool)", message(clash.getStatus().getConditions(), "Degraded"));
        assertEquals("False", condition(clash.getStatus().getConditions(), "Ready"));

        DevicePluginConfig config = devicePluginConfig();
        assertEquals(List.of("fast", "slow"), config.pools().stream().map(PoolConfig::name).toList(),
                "the bad pools are left out, the good ones kept");
        user.resources(XdpPool.class).withName("icmp").delete();
        user.resources(XdpPool.class).withName("clash").delete();
        eventually(() -> user.resources(XdpPool.class).withName("clash").get() == null ? Boolean.TRUE : null);
    }

    // ---------------------------------------------------------------- XdpNetwork

    @Test
    @Order(10)
    void aNetworkBecomesANetworkAttachmentDefinition() {
        user.resource(network("net-a", "fast", 9000, null)).create();
        NetworkAttachmentDefinition nad = eventually(() -> user.resources(NetworkAttachmentDefinition.class)
                .inNamespace(NS).withName("net-a").get());
        assertEquals("afxdp/fast", nad.getMetadata().getAnnotations()
                .get(NetworkAttachmentDefinition.RESOURCE_NAME_ANNOTATION));
        NetworkConfig cni = ConfigJson.read(nad.getSpec().getConfig(), NetworkConfig.class, "NAD net-a");
        assertEquals("splitplane", cni.type());
        assertEquals(NetworkConfig.CURRENT_VERSION, cni.cniVersion());
        assertEquals("demo.net-a", cni.name());
        assertEquals(9000, cni.mtu());
        assertEquals(Map.of("deviceID", true), cni.capabilities());
        assertEquals("host-local", cni.ipam().type());
        assertEquals("10.56.0.0/24", cni.ipam().settings().get("ranges").get(0).get(0).get("subnet").asText());
        assertEquals("vxlan", cni.classifier().rules().getFirst().name(), "no rules of its own: the pool's");
        assertOwnedBy(nad.getMetadata().getOwnerReferences(), "XdpNetwork", "net-a");

        XdpNetwork status = awaitNetwork("net-a", n -> n.getStatus() != null
                && "True".equals(condition(n.getStatus().getConditions(), "Ready")));
        assertEquals("demo/net-a", status.getStatus().getNetworkAttachmentDefinition());
        assertEquals("afxdp/fast", status.getStatus().getResourceName());
    }

    @Test
    @Order(11)
    void networkChangesReachTheNadAndBadOnesLeaveItAsItWas() {
        RuleSpec app = rule("app", RuleAction.REDIRECT, "udp", "5000-5100");
        app.setDstPrefixes(List.of("10.56.0.0/24"));
        editNetwork("net-a", spec -> spec.setRules(List.of(app)));
        NetworkConfig updated = awaitNadConfig("net-a", c -> c.classifier().rules().getFirst().name().equals("app"));
        assertEquals("5000-5100", updated.classifier().rules().getFirst().dstPorts().toString());

        RuleSpec bad = rule("v6", RuleAction.REDIRECT, "udp", null);
        bad.setIpVersion(4);
        bad.setDstPrefixes(List.of("2001:db8::/32"));
        editNetwork("net-a", spec -> spec.setRules(List.of(app, bad)));
        XdpNetwork invalid = awaitNetwork("net-a", n -> "InvalidSpec".equals(reason(n.getStatus().getConditions(),
                "Degraded")));
        assertEquals("spec.rules[1].dstPrefixes[0]: 2001:db8::/32 is an IPv6 prefix, but ipVersion is 4",
                message(invalid.getStatus().getConditions(), "Degraded"));
        assertEquals("False", condition(invalid.getStatus().getConditions(), "Ready"));
        assertEquals(invalid.getMetadata().getGeneration(), invalid.getStatus().getObservedGeneration());
        NetworkConfig kept = nadConfig("net-a");
        assertEquals(List.of("app"), kept.classifier().rules().stream().map(r -> r.name()).toList(),
                "the last good NAD stays");

        editNetwork("net-a", spec -> spec.setRules(List.of(app)));
        awaitNetwork("net-a", n -> "True".equals(condition(n.getStatus().getConditions(), "Ready")));
    }

    @Test
    @Order(12)
    void aNetworkWaitsForItsPool() {
        user.resource(network("net-b", "later", null, null)).create();
        XdpNetwork waiting = awaitNetwork("net-b", n -> n.getStatus() != null
                && "PoolNotFound".equals(reason(n.getStatus().getConditions(), "Degraded")));
        assertEquals("spec.pool: no XdpPool 'later'", message(waiting.getStatus().getConditions(), "Degraded"));
        assertNull(user.resources(NetworkAttachmentDefinition.class).inNamespace(NS).withName("net-b").get());

        user.resource(pool("later", Map.of("pool", "later"), List.of("ens4"), null)).create();
        NetworkConfig cni = awaitNadConfig("net-b", c -> true);
        assertNull(cni.classifier(), "neither the network nor the pool has rules");
        awaitNetwork("net-b", n -> "True".equals(condition(n.getStatus().getConditions(), "Ready")));
        NetworkAttachmentDefinition nad = user.resources(NetworkAttachmentDefinition.class).inNamespace(NS)
                .withName("net-b").get();
        assertEquals("afxdp/later", nad.getMetadata().getAnnotations()
                .get(NetworkAttachmentDefinition.RESOURCE_NAME_ANNOTATION));
    }

    // ---------------------------------------------------------------- Dataplane

    @Test
    @Order(20)
    void aDataplaneRunsAsADeploymentWithItsNetworksAndFrr() {
        Dataplane dp = dataplane("r1", List.of("net-a", "net-b"), 2, List.of(1, 3));
        dp.getSpec().setFrr(new FrrSidecar("r1-frr"));
        user.resource(dp).create();

        ConfigMap cm = eventually(() -> user.configMaps().inNamespace(NS).withName("r1-dataplane").get());
        DataplaneConfig config = ConfigJson.read(cm.getData().get(DataplaneConfigMapDependent.CONFIG_KEY),
                DataplaneConfig.class, "r1-dataplane");
        assertEquals("r1", config.name());
        assertEquals(List.of("net-a", "net-b"), config.ports().stream().map(p -> p.name()).toList());
        assertEquals(List.of("xdp0", "xdp1"), config.ports().stream().map(p -> p.netdev()).toList());
        assertEquals(List.of(List.of("net-a"), List.of("net-b")), config.workers().stream().map(w -> w.ports()).toList());
        assertEquals(List.of(List.of(1), List.of(3)), config.workers().stream().map(w -> w.cpus()).toList());
        assertOwnedBy(cm.getMetadata().getOwnerReferences(), "Dataplane", "r1");

        Deployment d = eventually(() -> user.apps().deployments().inNamespace(NS).withName("r1").get());
        var pod = d.getSpec().getTemplate();
        assertEquals("[{\"name\":\"net-a\",\"interface\":\"xdp0\"},{\"name\":\"net-b\",\"interface\":\"xdp1\"}]",
                pod.getMetadata().getAnnotations().get(DataplaneDeploymentDependent.MULTUS_NETWORKS));
        var graph = pod.getSpec().getContainers().getFirst();
        assertEquals(Map.of("afxdp/fast", new Quantity("1"), "afxdp/later", new Quantity("1")),
                graph.getResources().getLimits());
        assertEquals(graph.getResources().getLimits(), graph.getResources().getRequests());
        assertEquals(List.of("--config", "/etc/splitplane/dataplane/dataplane.json"), graph.getArgs());
        assertEquals(9100, graph.getPorts().getFirst().getContainerPort());
        var frr = pod.getSpec().getContainers().get(1);
        assertEquals("frr", frr.getName());
        assertEquals("quay.io/frrouting/frr:8.4.6", frr.getImage());
        assertEquals("r1-frr", pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("frr-config"))
                .findFirst().orElseThrow().getConfigMap().getName());
        assertEquals("Recreate", d.getSpec().getStrategy().getType());
        assertOwnedBy(d.getMetadata().getOwnerReferences(), "Dataplane", "r1");

        Dataplane progressing = awaitDataplane("r1", x -> x.getStatus() != null
                && "Progressing".equals(reason(x.getStatus().getConditions(), "Ready")));
        assertEquals(0, progressing.getStatus().getReadyReplicas());
        assertEquals("net-a,net-b", progressing.getStatus().getNetworks());

        retryingConflicts(() -> {
            Deployment current = user.apps().deployments().inNamespace(NS).withName("r1").get();
            current.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(1)
                    .withReadyReplicas(1).build());
            user.apps().deployments().inNamespace(NS).resource(current).updateStatus();
        });
        Dataplane ready = awaitDataplane("r1", x -> "True".equals(condition(x.getStatus().getConditions(), "Ready")));
        assertEquals(1, ready.getStatus().getReadyReplicas());
    }

    @Test
    @Order(21)
    void aNetworkMovingToAnotherPoolMovesTheDataplanesDeviceRequest() {
        editNetwork("net-b", spec -> spec.setPool("slow"));
        Deployment d = eventually(() -> {
            Deployment x = user.apps().deployments().inNamespace(NS).withName("r1").get();
            return x.getSpec().getTemplate().getSpec().getContainers().getFirst().getResources().getLimits()
                    .containsKey("afxdp/slow") ? x : null;
        });
        assertEquals(Map.of("afxdp/fast", new Quantity("1"), "afxdp/slow", new Quantity("1")),
                d.getSpec().getTemplate().getSpec().getContainers().getFirst().getResources().getLimits());
    }

    @Test
    @Order(22)
    void aDataplaneChangeRewritesItsConfigAndRollsItsPods() {
        String hashBefore = user.apps().deployments().inNamespace(NS).withName("r1").get().getSpec().getTemplate()
                .getMetadata().getAnnotations().get(ManagedLabels.RENDERED_HASH);
        retryingConflicts(() -> user.resources(Dataplane.class).inNamespace(NS).withName("r1").edit(dp -> {
            dp.getSpec().getNetworks().getFirst().setQueues(List.of(0, 1));
            dp.getSpec().getNetworks().get(1).setInterfaceName("uplink");
            return dp;
        }));
        ConfigMap cm = eventually(() -> {
            ConfigMap x = user.configMaps().inNamespace(NS).withName("r1-dataplane").get();
            return x.getData().get(DataplaneConfigMapDependent.CONFIG_KEY).contains("uplink") ? x : null;
        }, () -> List.of(user.resources(Dataplane.class).inNamespace(NS).withName("r1").get(),
                user.configMaps().inNamespace(NS).withName("r1-dataplane").get()));
        DataplaneConfig config = ConfigJson.read(cm.getData().get(DataplaneConfigMapDependent.CONFIG_KEY),
                DataplaneConfig.class, "r1-dataplane");
        assertEquals(List.of(0, 1), config.ports().getFirst().queues());
        assertEquals("uplink", config.ports().get(1).netdev());
        Deployment d = eventually(() -> {
            Deployment x = user.apps().deployments().inNamespace(NS).withName("r1").get();
            return x.getSpec().getTemplate().getMetadata().getAnnotations()
                    .get(DataplaneDeploymentDependent.MULTUS_NETWORKS).contains("uplink") ? x : null;
        });
        assertTrue(!hashBefore.equals(d.getSpec().getTemplate().getMetadata().getAnnotations()
                .get(ManagedLabels.RENDERED_HASH)), "a new config restarts the graph");
    }

    @Test
    @Order(23)
    void anInvalidDataplaneGetsAConditionAndTheRunningDeploymentStays() {
        Deployment before = user.apps().deployments().inNamespace(NS).withName("r1").get();
        retryingConflicts(() -> user.resources(Dataplane.class).inNamespace(NS).withName("r1").edit(dp -> {
            dp.getSpec().setWorkers(3);
            dp.getSpec().setCpus(null);
            return dp;
        }));
        Dataplane invalid = awaitDataplane("r1", x -> "InvalidSpec".equals(reason(x.getStatus().getConditions(),
                "Degraded")));
        assertEquals("spec.workers: 3 workers but 2 network(s): a worker runs at least one port, so at most 2",
                message(invalid.getStatus().getConditions(), "Degraded"));
        Deployment after = user.apps().deployments().inNamespace(NS).withName("r1").get();
        assertEquals(before.getSpec(), after.getSpec(), "nothing half-changed");

        user.resource(dataplane("r2", List.of("net-a", "missing"), 1, null)).create();
        Dataplane missing = awaitDataplane("r2", x -> x.getStatus() != null
                && "NetworkNotFound".equals(reason(x.getStatus().getConditions(), "Degraded")));
        assertEquals("spec.networks[1].network: no XdpNetwork 'missing' in namespace demo",
                message(missing.getStatus().getConditions(), "Degraded"));
        assertNull(user.configMaps().inNamespace(NS).withName("r2-dataplane").get(), "nothing written for r2");
        assertNull(user.apps().deployments().inNamespace(NS).withName("r2").get());
    }

    // ---------------------------------------------------------------- deletion

    @Test
    @Order(30)
    void deletingThePoolsRemovesTheDevicePlugin() {
        for (String name : List.of("fast", "slow", "later")) {
            user.resources(XdpPool.class).withName(name).delete();
        }
        eventually(() -> user.resources(XdpPool.class).list().getItems().isEmpty() ? Boolean.TRUE : null);
        eventually(() -> user.apps().daemonSets().inNamespace(OPERATOR_NS).withName(DevicePluginDaemonSet.NAME).get() == null
                ? Boolean.TRUE : null);
        assertNull(user.configMaps().inNamespace(OPERATOR_NS).withName(DevicePluginDaemonSet.CONFIG_MAP).get());
    }

    @Test
    @Order(31)
    void deletingNetworksAndDataplanesLeavesTheirObjectsToTheGarbageCollector() {
        // The mock server has no garbage collector: what it can show is that every object the operator
        // made for a namespaced resource names that resource as its owner.
        for (var nad : user.resources(NetworkAttachmentDefinition.class).inNamespace(NS).list().getItems()) {
            assertOwnedBy(nad.getMetadata().getOwnerReferences(), "XdpNetwork", nad.getMetadata().getName());
        }
        user.resources(Dataplane.class).inNamespace(NS).delete();
        user.resources(XdpNetwork.class).inNamespace(NS).delete();
        eventually(() -> user.resources(Dataplane.class).inNamespace(NS).list().getItems().isEmpty()
                && user.resources(XdpNetwork.class).inNamespace(NS).list().getItems().isEmpty() ? Boolean.TRUE : null);
    }

    // ---------------------------------------------------------------- RBAC

    @Test
    @Order(99)
    void theChartsRolesGrantExactlyWhatTheOperatorDid() throws InterruptedException {
        RecordedRequests.drain(server);
        Set<ApiRequest> used = RecordedRequests.operator();
        List<HasMetadata> chart = ChartManifests.render();
        Set<String> cluster = RbacRules.permissions(ChartManifests.clusterRole(chart).getRules());
        Set<String> namespaced = RbacRules.permissions(ChartManifests.role(chart).getRules());

        Set<String> missing = new TreeSet<>();
        Set<String> usedCluster = new TreeSet<>();
        Set<String> usedNamespaced = new TreeSet<>();
        for (ApiRequest r : used) {
            String p = r.permission();
            boolean inOwnNamespace = OPERATOR_NS.equals(r.namespace());
            if (inOwnNamespace && namespaced.contains(p) && !cluster.contains(p)) {
                usedNamespaced.add(p);
            } else if (cluster.contains(p)) {
                usedCluster.add(p);
            } else {
                missing.add(p + (r.namespace() == null ? "" : " in " + r.namespace()));
            }
        }
        Set<String> unusedCluster = new TreeSet<>(cluster);
        unusedCluster.removeAll(usedCluster);
        unusedCluster.removeAll(ON_CONFLICT_ONLY);
        Set<String> unusedNamespaced = new TreeSet<>(namespaced);
        unusedNamespaced.removeAll(usedNamespaced);
        String seen = used.stream().map(r -> r.permission() + (r.namespace() == null ? "" : " in " + r.namespace()))
                .sorted().distinct().collect(java.util.stream.Collectors.joining("\n  "));
        assertTrue(missing.isEmpty(), "the operator did what the chart does not grant: " + missing + "\nseen:\n  " + seen);
        assertTrue(unusedCluster.isEmpty(), "the ClusterRole grants what the operator never did: " + unusedCluster
                + "\nseen:\n  " + seen);
        assertTrue(unusedNamespaced.isEmpty(), "the Role grants what the operator never did (or the ClusterRole"
                + " grants too): " + unusedNamespaced + "\nseen:\n  " + seen);
    }

    // ---------------------------------------------------------------- helpers

    static Node node(String name, Map<String, String> labels, int devices, int allocatable) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewStatus().addToCapacity("afxdp/fast", new Quantity(Integer.toString(devices)))
                .addToAllocatable("afxdp/fast", new Quantity(Integer.toString(allocatable))).endStatus().build();
    }

    static XdpPool pool(String name, Map<String, String> nodeSelector, List<String> names, List<RuleSpec> rules) {
        XdpPool pool = new XdpPool();
        pool.getMetadata().setName(name);
        XdpPoolSpec spec = new XdpPoolSpec();
        spec.setNodeSelector(nodeSelector);
        NetdevSelector devices = new NetdevSelector();
        devices.setNames(names == null ? List.of("placeholder") : names);
        spec.setDevices(devices);
        spec.setRules(rules);
        pool.setSpec(spec);
        return pool;
    }

    static RuleSpec rule(String name, RuleAction action, String protocol, String dstPorts) {
        RuleSpec r = new RuleSpec(name, action);
        r.setProtocol(protocol);
        r.setDstPorts(dstPorts);
        return r;
    }

    static XdpNetwork network(String name, String pool, Integer mtu, List<RuleSpec> rules) {
        XdpNetwork n = new XdpNetwork();
        n.getMetadata().setName(name);
        n.getMetadata().setNamespace(NS);
        XdpNetworkSpec spec = new XdpNetworkSpec();
        spec.setPool(pool);
        spec.setMtu(mtu);
        spec.setRules(rules);
        spec.setIpam(Map.of("type", "host-local", "ranges", List.of(List.of(Map.of("subnet", "10.56.0.0/24")))));
        n.setSpec(spec);
        return n;
    }

    static Dataplane dataplane(String name, List<String> networks, int workers, List<Integer> cpus) {
        Dataplane d = new Dataplane();
        d.getMetadata().setName(name);
        d.getMetadata().setNamespace(NS);
        DataplaneSpec spec = new DataplaneSpec();
        spec.setNetworks(networks.stream().map(NetworkAttachment::new).toList());
        spec.setWorkers(workers);
        spec.setCpus(cpus);
        d.setSpec(spec);
        return d;
    }

    /** Polls {@code probe} until it returns non-null; the failure shows the last object it saw. */
    static <T> T eventually(Supplier<T> probe) {
        return eventually(probe, () -> null);
    }

    static <T> T eventually(Supplier<T> probe, Supplier<Object> lastSeen) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RuntimeException lastError = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        Object seen = lastSeen.get();
        throw new AssertionError("not reached within " + WAIT + "; last seen: "
                + (seen == null ? "nothing" : io.fabric8.kubernetes.client.utils.Serialization.asYaml(seen)), lastError);
    }

    static XdpPool awaitPool(String name, java.util.function.Predicate<XdpPool> until) {
        return eventually(() -> {
            XdpPool p = user.resources(XdpPool.class).withName(name).get();
            return p != null && until.test(p) ? p : null;
        }, () -> user.resources(XdpPool.class).withName(name).get());
    }

    static XdpNetwork awaitNetwork(String name, java.util.function.Predicate<XdpNetwork> until) {
        return eventually(() -> {
            XdpNetwork n = user.resources(XdpNetwork.class).inNamespace(NS).withName(name).get();
            return n != null && until.test(n) ? n : null;
        }, () -> user.resources(XdpNetwork.class).inNamespace(NS).withName(name).get());
    }

    static Dataplane awaitDataplane(String name, java.util.function.Predicate<Dataplane> until) {
        return eventually(() -> {
            Dataplane d = user.resources(Dataplane.class).inNamespace(NS).withName(name).get();
            return d != null && until.test(d) ? d : null;
        }, () -> user.resources(Dataplane.class).inNamespace(NS).withName(name).get());
    }

    static DevicePluginConfig devicePluginConfig() {
        ConfigMap cm = user.configMaps().inNamespace(OPERATOR_NS).withName(DevicePluginDaemonSet.CONFIG_MAP).get();
        return ConfigJson.read(cm.getData().get(DevicePluginDaemonSet.CONFIG_KEY), DevicePluginConfig.class,
                "ConfigMap " + DevicePluginDaemonSet.CONFIG_MAP);
    }

    static DevicePluginConfig awaitDevicePluginConfig(java.util.function.Predicate<DevicePluginConfig> until) {
        return eventually(() -> {
            DevicePluginConfig c = devicePluginConfig();
            return until.test(c) ? c : null;
        });
    }

    static NetworkConfig nadConfig(String name) {
        NetworkAttachmentDefinition nad = user.resources(NetworkAttachmentDefinition.class).inNamespace(NS)
                .withName(name).get();
        return ConfigJson.read(nad.getSpec().getConfig(), NetworkConfig.class, "NAD " + name);
    }

    static NetworkConfig awaitNadConfig(String name, java.util.function.Predicate<NetworkConfig> until) {
        return eventually(() -> {
            NetworkConfig c = nadConfig(name);
            return until.test(c) ? c : null;
        });
    }

    /**
     * Runs a change the way a user's kubectl would succeed with it: the operator writes status and
     * finalizers concurrently, so a stale resourceVersion (409) is read again and retried.
     */
    static void retryingConflicts(Runnable change) {
        for (int attempt = 1; ; attempt++) {
            try {
                change.run();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    static void editNetwork(String name, java.util.function.Consumer<XdpNetworkSpec> change) {
        retryingConflicts(() -> user.resources(XdpNetwork.class).inNamespace(NS).withName(name).edit(n -> {
            change.accept(n.getSpec());
            return n;
        }));
    }

    static void assertOwnedBy(List<OwnerReference> refs, String kind, String name) {
        assertNotNull(refs, "owner references");
        assertEquals(1, refs.size(), refs.toString());
        assertEquals(kind, refs.getFirst().getKind());
        assertEquals(name, refs.getFirst().getName());
        assertNotNull(refs.getFirst().getUid(), "the garbage collector follows the owner's uid");
    }

    static String condition(List<Condition> conditions, String type) {
        Condition c = StatusConditions.find(conditions, type);
        return c == null ? null : c.getStatus();
    }

    static String reason(List<Condition> conditions, String type) {
        Condition c = StatusConditions.find(conditions, type);
        return c == null ? null : c.getReason();
    }

    static String message(List<Condition> conditions, String type) {
        Condition c = StatusConditions.find(conditions, type);
        return c == null ? null : c.getMessage();
    }
}
