package io.splitplane.operator.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.splitplane.operator.OperatorSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the device plugin runs and what its pods carry. */
class DevicePluginDaemonSetTest {
    static final OperatorSettings SETTINGS = new OperatorSettings() {
        @Override
        public String namespace() {
            return "sp";
        }

        @Override
        public java.util.Optional<String> ownerDeployment() {
            return java.util.Optional.empty();
        }

        @Override
        public Images images() {
            return new Images() {
                @Override
                public String devicePlugin() {
                    return "dp:1";
                }

                @Override
                public String dataplane() {
                    return "graph:1";
                }

                @Override
                public String frr() {
                    return "frr:1";
                }

                @Override
                public String pullPolicy() {
                    return "Always";
                }
            };
        }
    };

    @Test
    void runsOnTheNodesAnyPoolSelects() {
        XdpPool a = DevicePluginConfigRendererTest.pool("a", null);
        a.getSpec().setNodeSelector(Map.of("zone", "x", "nic", "ice"));
        XdpPool b = DevicePluginConfigRendererTest.pool("b", null);
        b.getSpec().setNodeSelector(Map.of("nic", "ice", "zone", "x"));
        XdpPool c = DevicePluginConfigRendererTest.pool("c", null);
        c.getSpec().setNodeSelector(Map.of("role", "edge"));
        var terms = DevicePluginDaemonSet.nodeTerms(List.of(a, b, c));
        assertEquals(2, terms.size(), "the same selector twice is one term: " + terms);
        assertEquals(List.of("nic", "zone"), terms.getFirst().getMatchExpressions().stream().map(e -> e.getKey()).toList());

        XdpPool everywhere = DevicePluginConfigRendererTest.pool("all", null);
        assertNull(DevicePluginDaemonSet.nodeTerms(List.of(a, everywhere)), "a pool without selector: every node");
        DaemonSet ds = DevicePluginDaemonSet.desired(SETTINGS, List.of(a, everywhere));
        assertNull(ds.getSpec().getTemplate().getSpec().getAffinity());
    }

    @Test
    void podsInstallTheCniAndRunThePluginWithTheRenderedConfig() {
        DaemonSet ds = DevicePluginDaemonSet.desired(SETTINGS, List.of(DevicePluginConfigRendererTest.pool("a", null)));
        assertEquals("sp", ds.getMetadata().getNamespace());
        var pod = ds.getSpec().getTemplate();
        assertTrue(pod.getMetadata().getAnnotations() == null
                || !pod.getMetadata().getAnnotations().containsKey("splitplane.io/rendered-hash"),
                "no config hash: the device plugin reloads its config itself");
        assertEquals(List.of("--config", "/etc/splitplane/device-plugin/config.json", "--node-name", "$(NODE_NAME)",
                "--metrics-port", "9470", "--cni-socket", "/run/splitplane/cni.sock"), pod.getSpec().getContainers().getFirst().getArgs());
        var init = pod.getSpec().getInitContainers().getFirst();
        assertEquals("dp:1", init.getImage());
        assertEquals("Always", init.getImagePullPolicy());
        for (String f : DevicePluginDaemonSet.CNI_FILES) {
            assertTrue(init.getCommand().getLast().contains("mv -f /host/opt/cni/bin/." + f + ".tmp /host/opt/cni/bin/" + f),
                    "copied beside and renamed over: " + f);
        }
        assertEquals(DevicePluginDaemonSet.CONFIG_MAP, pod.getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("config")).findFirst().orElseThrow().getConfigMap().getName());
        assertEquals("HostToContainer", pod.getSpec().getContainers().getFirst().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/sys/fs/bpf")).findFirst().orElseThrow().getMountPropagation());
        // The CNI calls served in this pod see the pods' namespaces made after it started.
        assertEquals("HostToContainer", pod.getSpec().getContainers().getFirst().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/var/run/netns")).findFirst().orElseThrow().getMountPropagation());
    }
}
