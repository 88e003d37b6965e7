package io.splitplane.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.splitplane.operator.dataplane.Dataplane;
import io.splitplane.operator.network.XdpNetwork;
import io.splitplane.operator.pool.XdpPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRDs checked into {@code crds/} and {@code helm/splitplane/crds/} are exactly what the generator
 * makes of the Java types today. After changing a type, regenerate them with
 * {@code -Dsplitplane.crds.write=true} and review the diff.
 */
class CrdDriftTest {
    @Test
    void checkedInCrdsEqualTheGeneratedOnes(@TempDir Path out) throws IOException {
        new CRDGenerator().inOutputDir(out.toFile()).forCRDVersions("v1")
                .customResourceClasses(XdpPool.class, XdpNetwork.class, Dataplane.class)
                .generate();
        TreeSet<String> generated = names(out);
        assertEquals(new TreeSet<>(List.of("dataplanes.splitplane.io-v1.yml", "xdpnetworks.splitplane.io-v1.yml",
                "xdppools.splitplane.io-v1.yml")), generated, "one CRD per resource");
        if (Boolean.getBoolean("splitplane.crds.write")) {
            for (Path dir : List.of(RepoPaths.crds(), RepoPaths.chart().resolve("crds"))) {
                for (String name : generated) {
                    Files.copy(out.resolve(name), dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        for (Path dir : List.of(RepoPaths.crds(), RepoPaths.chart().resolve("crds"))) {
            assertEquals(generated, names(dir), "the CRD files in " + dir);
            for (String name : generated) {
                assertEquals(Files.readString(out.resolve(name)), Files.readString(dir.resolve(name)),
                        dir.resolve(name) + " has drifted from the Java types; regenerate with"
                                + " -Dsplitplane.crds.write=true");
            }
        }
    }

    @Test
    void theGeneratedSchemaCarriesTheValidation() throws IOException {
        String pools = Files.readString(RepoPaths.crds().resolve("xdppools.splitplane.io-v1.yml"));
        assertTrue(pools.contains("scope: \"Cluster\""), "XdpPool is cluster-scoped");
        assertTrue(pools.contains("x-kubernetes-validations"), "CEL rules are in the schema");
        assertTrue(pools.contains("name: \"Allocatable\""), "printer columns are in the CRD");
        String networks = Files.readString(RepoPaths.crds().resolve("xdpnetworks.splitplane.io-v1.yml"));
        assertTrue(networks.contains("scope: \"Namespaced\""), "XdpNetwork is namespaced");
        assertTrue(networks.contains("x-kubernetes-preserve-unknown-fields: true"), "ipam is passed through");
    }

    private static TreeSet<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }
}
