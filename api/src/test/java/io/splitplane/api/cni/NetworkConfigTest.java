package io.splitplane.api.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.Action;
import io.splitplane.api.classifier.ClassifierRule;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.classifier.Protocol;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkConfigTest {
    private static final String MULTUS_STDIN = """
            {"cniVersion": "1.0.0", "name": "fast-net", "type": "splitplane",
             "deviceID": "ens1f0", "pciBusID": "ens1f0",
             "runtimeConfig": {"deviceID": "ens1f0", "portMappings": []},
             "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.56.0.0/24"}]], "dataDir": "/run/x"},
             "mtu": 1400, "xdpAttach": "generic",
             "classifier": {"rules": [{"name": "app", "action": "redirect", "protocol": "udp", "dstPorts": "4789"}]},
             "prevResult": {"cniVersion": "1.0.0", "ips": []},
             "args": {"cni": {"labels": []}},
             "cni.dev/future-key": 7}
            """;

    private static NetworkConfig read(String json) {
        return ConfigJson.read(json, NetworkConfig.class, "stdin");
    }

    private static InvalidConfigException refused(String json) {
        return assertThrows(InvalidConfigException.class, () -> read(json));
    }

    @Test
    void readsWhatMultusSendsIncludingInjectedAndReservedKeys() {
        NetworkConfig c = read(MULTUS_STDIN);
        assertEquals("1.0.0", c.cniVersion());
        assertEquals("ens1f0", c.device().orElseThrow());
        assertEquals("host-local", c.ipam().type());
        assertEquals("/run/x", c.ipam().settings().get("dataDir").asText());
        assertEquals(1400, c.mtu());
        assertEquals(XdpAttach.GENERIC, c.effectiveXdpAttach());
        assertEquals(List.of("app"), c.effectiveClassifier().rules().stream().map(ClassifierRule::name).toList());
        assertEquals(Protocol.UDP, c.effectiveClassifier().rules().getFirst().protocol());
        assertTrue(c.prevResult().has("ips"));
        assertEquals(7, c.reserved().get("cni.dev/future-key").asInt());
        assertTrue(c.runtimeConfig().other().containsKey("portMappings"));
    }

    @Test
    void deviceComesFromTopLevelFirstThenRuntimeConfig() {
        String base = "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"splitplane\"";
        assertEquals("eth7", read(base + ",\"runtimeConfig\":{\"deviceID\":\"eth7\"}}").device().orElseThrow());
        assertEquals("eth1", read(base + ",\"deviceID\":\"eth1\",\"runtimeConfig\":{\"deviceID\":\"eth7\"}}")
                .device().orElseThrow());
        assertTrue(read(base + "}").device().isEmpty());
    }

    @Test
    void defaultsWhenOptionalKeysAreAbsent() {
        NetworkConfig c = read("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"splitplane\"}");
        assertEquals(XdpAttach.NATIVE, c.effectiveXdpAttach());
        assertEquals(ClassifierRules.none(), c.effectiveClassifier());
        assertEquals(Path.of("/sys/fs/bpf/splitplane/eth0/xsks_map"), c.pinPaths().hostMap("eth0"));
        assertEquals(Path.of(NetworkConfig.DEFAULT_STATE_DIR), c.effectiveStateDir());
        assertNull(c.ipam());
        assertNull(c.attachmentsToKeep());
    }

    @Test
    void gcAttachmentsAreReadFromBothKeys() {
        NetworkConfig c = read("""
                {"cniVersion":"1.1.0","name":"n","type":"splitplane",
                 "cni.dev/valid-attachments":[{"containerID":"a","ifname":"net1"}],
                 "cni.dev/attachments":[{"containerID":"b","ifname":"net2"}]}""");
        assertEquals(List.of(new Attachment("a", "net1"), new Attachment("b", "net2")), c.attachmentsToKeep());
        NetworkConfig empty = read("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"splitplane\","
                + "\"cni.dev/valid-attachments\":[]}");
        assertEquals(List.of(), empty.attachmentsToKeep());
        assertTrue(empty.reserved().isEmpty(), "the attachment keys are fields, not reserved extras");
    }

    @Test
    void whatTheOperatorRendersReadsBackEqualAndDeclaresTheDeviceCapability() {
        NetworkConfig rendered = NetworkConfig.of("fast-net",
                        IpamConfig.of("host-local", Map.of("subnet", JsonNodeFactory.instance.textNode("10.9.0.0/24"))),
                        ClassifierRules.of(ClassifierRule.of("all-udp", Action.REDIRECT).withProtocol(Protocol.UDP)))
                .withMtu(9000).withXdpAttach(XdpAttach.AUTO);
        String json = ConfigJson.write(rendered);
        assertTrue(json.contains("\"type\":\"splitplane\""), json);
        assertTrue(json.contains("\"capabilities\":{\"deviceID\":true}"), json);
        assertTrue(json.contains("\"subnet\":\"10.9.0.0/24\""), json);
        assertTrue(!json.contains("prevResult") && !json.contains("cni.dev"), json);
        assertEquals(rendered, read(json));
    }

    @Test
    void unknownKeysAreRefusedByNameButReservedOnesAreKept() {
        InvalidConfigException e = refused("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"splitplane\","
                + "\"mtuu\":1500}");
        assertEquals("mtuu", e.field());
        assertTrue(e.reason().startsWith("unknown field 'mtuu'"), e.reason());
        assertTrue(e.reason().contains("mtu"), e.reason());
    }

    @Test
    void eachBadValueIsRefusedNamingItsField() {
        String head = "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"splitplane\",";
        Map<String, String> cases = Map.ofEntries(
                Map.entry("{\"name\":\"n\",\"type\":\"splitplane\"}", "cniVersion"),
                Map.entry("{\"cniVersion\":\"one\",\"name\":\"n\",\"type\":\"splitplane\"}", "cniVersion"),
                Map.entry("{\"cniVersion\":\"1.1.0\",\"name\":\"-bad\",\"type\":\"splitplane\"}", "name"),
                Map.entry("{\"cniVersion\":\"1.1.0\",\"name\":\"n\"}", "type"),
                Map.entry(head + "\"mtu\":67}", "mtu"),
                Map.entry(head + "\"mtu\":65536}", "mtu"),
                Map.entry(head + "\"deviceID\":\"../etc\"}", "deviceID"),
                Map.entry(head + "\"deviceID\":\"sixteen-chars-xx\"}", "deviceID"),
                Map.entry(head + "\"runtimeConfig\":{\"deviceID\":\"a b\"}}", "runtimeConfig.deviceID"),
                Map.entry(head + "\"bpffsRoot\":\"relative\"}", "bpffsRoot"),
                Map.entry(head + "\"stateDir\":\"\"}", "stateDir"),
                Map.entry(head + "\"logFile\":\"log.txt\"}", "logFile"),
                Map.entry(head + "\"ipam\":{\"ranges\":[]}}", "ipam.type"),
                Map.entry(head + "\"ipam\":{\"type\":\"../../bin/sh\"}}", "ipam.type"),
                Map.entry(head + "\"xdpAttach\":\"hw\"}", "xdpAttach"),
                Map.entry(head + "\"cniVersions\":[\"1.0\"]}", "cniVersions[0]"),
                Map.entry(head + "\"cni.dev/valid-attachments\":[{\"ifname\":\"net1\"}]}",
                        "cni.dev/valid-attachments[0].containerID"),
                Map.entry(head + "\"classifier\":{\"rules\":[{\"name\":\"x\",\"action\":\"redirect\","
                        + "\"protocol\":\"icmp\",\"dstPorts\":\"53\"}]}}", "classifier.rules[0].dstPorts"));
        cases.forEach((json, field) -> {
            InvalidConfigException e = refused(json);
            assertEquals(field, e.field(), json + " -> " + e.getMessage());
            assertTrue(e.getMessage().startsWith("invalid config in stdin: " + field + ": "), e.getMessage());
        });
    }

    @Test
    void malformedJsonIsRefusedAsSuch() {
        InvalidConfigException e = refused("{\"cniVersion\":\"1.1.0\",");
        assertTrue(e.reason().startsWith("malformed JSON"), e.reason());
        assertEquals("empty document", refused("  ").reason());
    }
}
