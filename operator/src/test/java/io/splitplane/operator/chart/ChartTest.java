package io.splitplane.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The chart through the real Helm library: lint, template, and what the rendered objects say. */
class ChartTest {

    @Test
    void lintsClean() {
        LintResult result = new Helm(RepoPaths.chart()).lint().strict().call();
        assertFalse(result.isFailed(), "helm lint --strict: " + result.getMessages());
        assertTrue(result.getMessages().stream().noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]")),
                "helm lint messages: " + result.getMessages());
    }

    @Test
    void rendersEveryObjectIntoTheTypedModel() {
        List<HasMetadata> objects = ChartManifests.render();
        Map<String, Long> kinds = objects.stream().collect(Collectors.groupingBy(HasMetadata::getKind,
                java.util.TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("ClusterRole", 1L, "ClusterRoleBinding", 1L, "Deployment", 1L, "Role", 1L,
                "RoleBinding", 1L, "Service", 1L, "ServiceAccount", 1L), kinds);
        for (HasMetadata o : objects) {
            if (!(o instanceof CustomResourceDefinition) && !o.getKind().startsWith("Cluster")) {
                assertEquals(ChartManifests.NAMESPACE, o.getMetadata().getNamespace(), o.getKind() + " namespace");
            }
        }
        ServiceAccount sa = ChartManifests.only(objects, ServiceAccount.class);
        Deployment operator = ChartManifests.only(objects, Deployment.class);
        assertEquals(sa.getMetadata().getName(), operator.getSpec().getTemplate().getSpec().getServiceAccountName());
        ClusterRoleBinding crb = ChartManifests.only(objects, ClusterRoleBinding.class);
        assertEquals(ChartManifests.clusterRole(objects).getMetadata().getName(), crb.getRoleRef().getName());
        assertEquals(sa.getMetadata().getName(), crb.getSubjects().getFirst().getName());
        RoleBinding rb = ChartManifests.only(objects, RoleBinding.class);
        assertEquals(ChartManifests.role(objects).getMetadata().getName(), rb.getRoleRef().getName());
        assertEquals(sa.getMetadata().getName(), rb.getSubjects().getFirst().getName());
    }

    @Test
    void valuesReachTheOperator() {
        List<HasMetadata> objects = ChartManifests.render(Map.of("images.devicePlugin", "registry.example/dp:7",
                "images.dataplane", "registry.example/graph:7", "operator.logLevel", "DEBUG",
                "operator.image.tag", "9.9.9", "metrics.enabled", "false"));
        Deployment operator = ChartManifests.only(objects, Deployment.class);
        var container = operator.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertEquals("ghcr.io/splitplane/operator:9.9.9", container.getImage());
        Map<String, String> env = container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertEquals("registry.example/dp:7", env.get("SPLITPLANE_IMAGES_DEVICE_PLUGIN"));
        assertEquals("registry.example/graph:7", env.get("SPLITPLANE_IMAGES_DATAPLANE"));
        assertEquals("DEBUG", env.get("SPLITPLANE_LOG_LEVEL"));
        // The operator makes the device plugin's objects children of this Deployment: the names must agree.
        assertEquals(operator.getMetadata().getName(), env.get("SPLITPLANE_OWNER_DEPLOYMENT"));
        assertTrue(ChartManifests.all(objects, Service.class).isEmpty(), "metrics.enabled=false: no Service");
    }

    /**
     * Helm installs {@code crds/} as they are (not templated, so {@code helm template} leaves them out):
     * they must be valid CRDs in the typed model, the same objects as the checked-in ones (which
     * {@link CrdDriftTest} holds to the Java types), and name the kinds the operator reconciles.
     */
    @Test
    void theChartCarriesTheGeneratedCrds() throws IOException {
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (String name : List.of("xdppools.splitplane.io", "xdpnetworks.splitplane.io", "dataplanes.splitplane.io")) {
            String file = name + "-v1.yml";
            CustomResourceDefinition inChart = ChartManifests.only(ChartManifests.parse(
                    Files.readString(RepoPaths.chart().resolve("crds").resolve(file))), CustomResourceDefinition.class);
            CustomResourceDefinition generated = serialization.unmarshal(
                    Files.readString(RepoPaths.crds().resolve(file)), CustomResourceDefinition.class);
            assertEquals(generated, inChart, name);
            assertEquals(name, inChart.getMetadata().getName());
            assertEquals("v1alpha1", inChart.getSpec().getVersions().getFirst().getName());
            assertNotNull(inChart.getSpec().getVersions().getFirst().getSubresources().getStatus(),
                    name + " has a status subresource");
        }
    }

    @Test
    void aMistypedFieldIsCaught() {
        String typo = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: x
                spec:
                  replica: 2
                """;
        AssertionError e = assertThrows(AssertionError.class, () -> ChartManifests.parse(typo));
        assertTrue(e.getMessage().contains("replica"), e.getMessage());
    }
}
