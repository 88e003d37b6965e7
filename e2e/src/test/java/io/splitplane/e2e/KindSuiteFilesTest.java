package io.splitplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.ClassifierRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What the kind suite (e2e/kind/run.sh, which needs Docker) applies and builds, checked here where
 * there is no Docker: every manifest parses with the expected kinds and names, every reference
 * between them resolves (pools, networks, FRR ConfigMaps, NetworkAttachmentDefinitions, the lab
 * node's netdevs), the classifier rules pass the api's own validation, the addresses are the
 * namespace scenario's, every file a Containerfile copies exists or is a build output of a module
 * that makes it, and the scripts are shellcheck-clean.
 */
class KindSuiteFilesTest {
    static final Path REPO = repositoryRoot();
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GROUP_VERSION = "splitplane.io/v1alpha1";
    private static final Set<String> KINDS = Set.of("Namespace", "ConfigMap", "Pod", "XdpPool", "XdpNetwork",
            "Dataplane", "NetworkAttachmentDefinition");
    private static final String NAMESPACE = "splitplane-e2e";

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("deploy"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no deploy/ above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    /** Every document of deploy/manifests, by kind and name. */
    private static Map<String, Map<String, JsonNode>> manifests() throws IOException {
        Map<String, Map<String, JsonNode>> byKind = new HashMap<>();
        try (Stream<Path> files = Files.list(REPO.resolve("deploy/manifests"))) {
            for (Path f : files.sorted().toList()) {
                for (JsonNode doc : documents(f)) {
                    String kind = doc.path("kind").asText();
                    String name = doc.path("metadata").path("name").asText();
                    assertTrue(KINDS.contains(kind), f + ": unexpected kind '" + kind + "'");
                    assertFalse(name.isEmpty(), f + ": a " + kind + " without metadata.name");
                    JsonNode earlier = byKind.computeIfAbsent(kind, k -> new HashMap<>()).put(name, doc);
                    assertTrue(earlier == null, f + ": " + kind + " " + name + " defined twice");
                }
            }
        }
        return byKind;
    }

    @Test
    void manifestsParseWithTheExpectedKindsVersionsAndNamespaces() throws IOException {
        Map<String, Map<String, JsonNode>> m = manifests();
        assertEquals(Set.of("vr1-net1", "vr1-net2", "vr2-net2", "vr2-net3"), m.get("XdpPool").keySet());
        assertEquals(m.get("XdpPool").keySet(), m.get("XdpNetwork").keySet());
        assertEquals(Set.of("vrouter1", "vrouter2"), m.get("Dataplane").keySet());
        assertEquals(Set.of("client1", "client2"), m.get("Pod").keySet());
        for (var kind : m.entrySet()) {
            for (JsonNode doc : kind.getValue().values()) {
                String where = kind.getKey() + " " + doc.path("metadata").path("name").asText();
                String apiVersion = doc.path("apiVersion").asText();
                switch (kind.getKey()) {
                    case "XdpPool", "XdpNetwork", "Dataplane" -> assertEquals(GROUP_VERSION, apiVersion, where);
                    case "NetworkAttachmentDefinition" -> assertEquals("k8s.cni.cncf.io/v1", apiVersion, where);
                    default -> assertEquals("v1", apiVersion, where);
                }
                boolean clusterScoped = kind.getKey().equals("XdpPool") || kind.getKey().equals("Namespace");
                assertEquals(clusterScoped ? "" : NAMESPACE, doc.path("metadata").path("namespace").asText(), where);
            }
        }
    }

    @Test
    void everyReferenceBetweenTheManifestsResolves() throws IOException {
        Map<String, Map<String, JsonNode>> m = manifests();
        for (JsonNode net : m.get("XdpNetwork").values()) {
            assertTrue(m.get("XdpPool").containsKey(net.path("spec").path("pool").asText()), net.toString());
        }
        for (JsonNode dp : m.get("Dataplane").values()) {
            for (JsonNode att : dp.path("spec").path("networks")) {
                assertTrue(m.get("XdpNetwork").containsKey(att.path("network").asText()), att.toString());
            }
            JsonNode frr = m.get("ConfigMap").get(dp.path("spec").path("frr").path("configMap").asText());
            assertNotNull(frr, "FRR ConfigMap of " + dp.path("metadata").path("name"));
            assertTrue(frr.path("data").has("frr.conf") && frr.path("data").has("daemons"), frr.toString());
            assertTrue(frr.path("data").path("daemons").asText().contains("ospfd=yes"));
        }
        for (JsonNode pod : m.get("Pod").values()) {
            JsonNode networks = JSON.readTree(pod.path("metadata").path("annotations")
                    .path("k8s.v1.cni.cncf.io/networks").asText());
            assertFalse(networks.isEmpty(), pod.toString());
            for (JsonNode n : networks) {
                assertTrue(m.get("NetworkAttachmentDefinition").containsKey(n.path("name").asText()), n.toString());
            }
        }
    }

    @Test
    void poolsAndClientsUseExactlyTheLabNodesNetdevs() throws IOException {
        Map<String, Map<String, JsonNode>> m = manifests();
        Set<String> made = labNetdevs();
        Set<String> used = new TreeSet<>();
        for (JsonNode pool : m.get("XdpPool").values()) {
            JsonNode names = pool.path("spec").path("devices").path("names");
            assertEquals(1, names.size(), "one netdev per pool, so each vRouter port gets its link: " + pool);
            assertTrue(used.add(names.get(0).asText()), "netdev in two pools: " + names);
        }
        for (JsonNode nad : m.get("NetworkAttachmentDefinition").values()) {
            JsonNode config = JSON.readTree(nad.path("spec").path("config").asText());
            assertEquals("host-device", config.path("type").asText(), nad.toString());
            assertEquals("static", config.path("ipam").path("type").asText(), nad.toString());
            assertTrue(used.add(config.path("device").asText()), "netdev used twice: " + config);
        }
        assertEquals(made, used, "the netdevs run.sh makes on the lab node are the ones the manifests use");
    }

    /** The veth names {@code make_lab_netdevs} in run.sh creates. */
    private static Set<String> labNetdevs() throws IOException {
        String script = Files.readString(REPO.resolve("e2e/kind/run.sh"));
        Matcher pairs = Pattern.compile("for pair in ((?:\"[a-z0-9-]+ [a-z0-9-]+\" ?)+)").matcher(script);
        assertTrue(pairs.find(), "run.sh lists its veth pairs");
        Set<String> names = new TreeSet<>();
        Matcher name = Pattern.compile("[a-z0-9-]+").matcher(pairs.group(1));
        while (name.find()) {
            names.add(name.group());
        }
        assertEquals(6, names.size(), names.toString());
        return names;
    }

    @Test
    void addressesAndRulesAreTheNamespaceScenarios() throws IOException {
        Map<String, Map<String, JsonNode>> m = manifests();
        Map<String, String> expected = Map.of(
                "vr1-net1", VrouterScenario.VR1_NET1 + "/24", "vr1-net2", VrouterScenario.VR1_NET2 + "/24",
                "vr2-net2", VrouterScenario.VR2_NET2 + "/24", "vr2-net3", VrouterScenario.VR2_NET3 + "/24");
        for (var e : expected.entrySet()) {
            JsonNode spec = m.get("XdpNetwork").get(e.getKey()).path("spec");
            assertEquals(e.getValue(), spec.path("ipam").path("addresses").get(0).path("address").asText(), e.getKey());
            assertFalse(spec.path("rules").isEmpty(), e.getKey());
            for (JsonNode rule : spec.path("rules")) {
                // The CRD's rule is the api record's JSON: the record's strict reading must accept it.
                try {
                    ConfigJson.read(JSON.writeValueAsString(rule), ClassifierRule.class, e.getKey());
                } catch (InvalidConfigException ex) {
                    fail("rule of XdpNetwork " + e.getKey() + " is invalid: " + ex.getMessage());
                }
            }
        }
        JsonNode transit = m.get("XdpNetwork").get("vr1-net2").path("spec").path("rules").get(0);
        assertEquals("redirect", transit.path("action").asText());
        assertEquals(List.of(VrouterScenario.NET1, VrouterScenario.NET3),
                JSON.convertValue(transit.path("dstPrefixes"), List.class));
        String clients = Files.readString(REPO.resolve("deploy/manifests/clients.yaml"));
        assertTrue(clients.contains(VrouterScenario.CLIENT1 + "/24") && clients.contains(VrouterScenario.CLIENT2 + "/24"));
    }

    @Test
    void kindConfigHasALabelledWorkerWithBpffs() throws IOException {
        List<JsonNode> docs = documents(REPO.resolve("deploy/kind/cluster.yaml"));
        assertEquals(1, docs.size());
        JsonNode cluster = docs.getFirst();
        assertEquals("Cluster", cluster.path("kind").asText());
        assertEquals("kind.x-k8s.io/v1alpha4", cluster.path("apiVersion").asText());
        boolean labelled = false;
        for (JsonNode node : cluster.path("nodes")) {
            if ("true".equals(node.path("labels").path("splitplane.io/vrouter-lab").asText())) {
                labelled = true;
                assertEquals("worker", node.path("role").asText());
                assertEquals("/sys/fs/bpf", node.path("extraMounts").get(0).path("containerPath").asText());
            }
        }
        assertTrue(labelled, "a worker labelled splitplane.io/vrouter-lab=true (the pools' nodeSelector)");
        String script = Files.readString(REPO.resolve("e2e/kind/run.sh"));
        Matcher images = Pattern.compile("images=\\(([^)]*)\\)").matcher(script);
        assertTrue(images.find());
        for (String image : images.group(1).trim().split("\\s+")) {
            assertTrue(Files.exists(REPO.resolve("deploy/images/" + image + ".Containerfile")), image);
        }
        for (String f : List.of("pools", "networks", "vrouters", "clients")) {
            assertTrue(script.contains(f) && Files.exists(REPO.resolve("deploy/manifests/" + f + ".yaml")), f);
        }
    }

    @Test
    void containerfilesCopyFilesThatExistOrThatTheirModuleBuilds() throws IOException {
        Pattern copy = Pattern.compile("^COPY\\s+(\\S+)\\s+\\S+\\s*$", Pattern.MULTILINE);
        Set<String> modules = reactorModules();
        List<String> pending = new ArrayList<>();
        try (Stream<Path> files = Files.list(REPO.resolve("deploy/images"))) {
            for (Path cf : files.filter(f -> f.toString().endsWith(".Containerfile")).sorted().toList()) {
                Matcher m = copy.matcher(Files.readString(cf));
                while (m.find()) {
                    String source = m.group(1);
                    int target = source.indexOf("/target/");
                    if (target < 0) {
                        assertTrue(Files.exists(REPO.resolve(source)), cf.getFileName() + " copies missing " + source);
                        continue;
                    }
                    String module = source.substring(0, target);
                    if (!modules.contains(module)) {
                        pending.add(cf.getFileName() + ": " + source + " (module " + module + "/ not in this build)");
                        continue;
                    }
                    String pom = Files.readString(REPO.resolve(module + "/pom.xml"));
                    String file = Path.of(source).getFileName().toString();
                    boolean built = Files.exists(REPO.resolve(source));
                    boolean named = Pattern.compile("/" + Pattern.quote(file) + "[<\\s]").matcher(pom).find()
                            || file.startsWith(artifactId(pom) + "-")
                            || source.contains("/target/quarkus-app/") && pom.contains("quarkus-maven-plugin");
                    assertTrue(built || named, cf.getFileName() + ": " + source + " is neither built nor named in "
                            + module + "/pom.xml");
                }
            }
        }
        // The dataplane is a dependency of this module, so the reactor has packaged it by now.
        assertTrue(Files.exists(REPO.resolve("dataplane-pod/target/splitplane-dataplane-0.1.0-SNAPSHOT-all.jar")));
        Assumptions.assumeTrue(pending.isEmpty(), "Containerfile sources of modules not merged yet: " + pending);
    }

    private static String artifactId(String pom) {
        Matcher m = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>").matcher(pom);
        return m.find() ? m.group(1) : "?";
    }

    private static Set<String> reactorModules() throws IOException {
        Set<String> modules = new TreeSet<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(REPO.resolve("pom.xml")));
        while (m.find()) {
            modules.add(m.group(1));
        }
        return modules;
    }

    @Test
    void theKindValuesSetOnlyKeysTheChartHasAndEveryImageItBuilds() throws IOException {
        JsonNode values = documents(REPO.resolve("deploy/kind/values.yaml")).getFirst();
        Set<String> images = new TreeSet<>();
        values.path("images").properties().forEach(e -> images.add(e.getValue().asText()));
        images.add(values.path("operator").path("image").path("repository").asText() + ":"
                + values.path("operator").path("image").path("tag").asText());
        images.remove("IfNotPresent");
        assertEquals(Set.of("splitplane/operator:dev", "splitplane/device-plugin:dev", "splitplane/dataplane:dev",
                "splitplane/vrouter-frr:dev"), images);
        Path chartValues = REPO.resolve("helm/splitplane/values.yaml");
        Assumptions.assumeTrue(Files.exists(chartValues), "helm/splitplane (the operator's chart) is not merged yet");
        List<String> unknown = new ArrayList<>();
        unknownKeys(values, documents(chartValues).getFirst(), "", unknown);
        assertTrue(unknown.isEmpty(), "keys the chart does not have: " + unknown);
    }

    private static void unknownKeys(JsonNode ours, JsonNode chart, String path, List<String> unknown) {
        ours.properties().forEach(e -> {
            if (!chart.has(e.getKey())) {
                unknown.add(path + e.getKey());
            } else if (e.getValue().isObject()) {
                unknownKeys(e.getValue(), chart.get(e.getKey()), path + e.getKey() + ".", unknown);
            }
        });
    }

    @Test
    void scriptsAreShellcheckClean() {
        List<String> scripts = List.of("e2e/kind/run.sh", "deploy/images/frr-start.sh", "deploy/images/splitplanectl");
        List<String> cmd = new ArrayList<>(List.of("shellcheck"));
        scripts.forEach(s -> cmd.add(REPO.resolve(s).toString()));
        Commands.Result r;
        try {
            r = Commands.exec(cmd, 60);
        } catch (RuntimeException e) {
            throw new AssertionError("shellcheck is needed (build-tools/setup.sh installs it)", e);
        }
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }
}
