package io.splitplane.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every refusal is the spec's error JSON on stdout (cniVersion, code, msg, details) with a non-zero
 * exit, the right well-known code, and a message naming what is wrong; and nothing changed.
 */
class ErrorAnswersTest {

    private static JsonNode refused(CniCall.Answer a, int code) {
        assertTrue(a.exit() != 0, a.toString());
        JsonNode e = a.json();
        assertEquals(code, e.path("code").asInt(), a.toString());
        assertTrue(e.hasNonNull("cniVersion") && !e.path("msg").asText().isEmpty() && e.has("details"), a.stdout());
        assertEquals(1, a.stdout().lines().count(), "stdout carries the error JSON and nothing else: " + a.stdout());
        return e;
    }

    @Test
    void versionListsEverySupportedVersion() {
        CniCall.Answer a = CniCall.run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}").ok();
        assertEquals("1.0.0", a.json().path("cniVersion").asText());
        assertEquals(List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"),
                PoolFixture.JSON.convertValue(a.json().path("supportedVersions"), List.class));
    }

    @Test
    void malformedInputAndEnvironment() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            Map<String, String> add = CniCall.env("ADD", "c", netns, "net1");
            String good = f.config("1.1.0", d.device()).toString();

            refused(CniCall.run(add, "{\"cniVersion\": \"1.1.0\", "), CniException.DECODING_FAILURE);
            refused(CniCall.run(add, ""), CniException.DECODING_FAILURE);
            JsonNode version = refused(CniCall.run(add, f.config("2.0.0", d.device()).toString()),
                    CniException.INCOMPATIBLE_VERSION);
            assertTrue(version.path("details").asText().contains("'2.0.0'"), version.toString());

            ObjectNode typo = f.config("1.1.0", d.device());
            typo.put("mtuu", 1500);
            JsonNode unknown = refused(CniCall.run(add, typo.toString()), CniException.UNSUPPORTED_FIELD);
            assertTrue(unknown.path("details").asText().contains("'mtuu'"), unknown.toString());

            ObjectNode badMtu = f.config("1.1.0", d.device());
            badMtu.put("mtu", 20);
            JsonNode mtu = refused(CniCall.run(add, badMtu.toString()), CniException.INVALID_NETWORK_CONFIG);
            assertTrue(mtu.path("details").asText().contains("mtu"), mtu.toString());

            for (String variable : List.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME")) {
                Map<String, String> env = new java.util.HashMap<>(add);
                env.remove(variable);
                JsonNode e = refused(CniCall.run(env, good), CniException.INVALID_ENVIRONMENT);
                assertTrue(e.path("details").asText().contains(variable), e.toString());
            }
            Map<String, String> longName = CniCall.env("ADD", "c", netns, "much-too-long-name");
            assertTrue(refused(CniCall.run(longName, good), CniException.INVALID_ENVIRONMENT).path("details").asText()
                    .contains("CNI_IFNAME"));
            Map<String, String> noPath = new java.util.HashMap<>(add);
            noPath.remove("CNI_PATH");
            assertTrue(refused(CniCall.run(noPath, good), CniException.INVALID_ENVIRONMENT).path("details").asText()
                    .contains("CNI_PATH"));
            Map<String, String> badCommand = new java.util.HashMap<>(add);
            badCommand.put("CNI_COMMAND", "MOVE");
            refused(CniCall.run(badCommand, good), CniException.INVALID_ENVIRONMENT);

            JsonNode noNetns = refused(CniCall.run(CniCall.env("ADD", "c", "/run/netns/sptnonexistent", "net1"), good),
                    CniException.UNKNOWN_CONTAINER);
            assertTrue(noNetns.path("details").asText().contains("/run/netns/sptnonexistent"), noNetns.toString());

            JsonNode check = refused(CniCall.run(CniCall.env("CHECK", "c", netns, "net1"),
                    f.config("0.3.1", d.device()).toString()), CniException.INCOMPATIBLE_VERSION);
            assertEquals("0.3.1", check.path("cniVersion").asText(), "errors answer in the request's version");

            f.assertHome(d);
            assertEquals(List.of(), f.states());
            assertEquals(List.of(), f.leases());
        }
    }

    @Test
    void missingUnknownAndBusyDevices() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device d = f.device();
            String netns = f.pod();
            String other = f.pod();

            JsonNode none = refused(CniCall.run(CniCall.env("ADD", "c", netns, "net1"),
                    f.config("1.1.0", null).toString()), CniException.INVALID_NETWORK_CONFIG);
            assertTrue(none.path("details").asText().contains("deviceID"), none.toString());

            ObjectNode viaRuntimeConfig = f.config("1.1.0", null);
            viaRuntimeConfig.putObject("runtimeConfig").put("deviceID", "sptnosuchdev");
            JsonNode unknown = refused(CniCall.run(CniCall.env("ADD", "c", netns, "net1"), viaRuntimeConfig.toString()),
                    CniException.DEVICE_NOT_FOUND);
            assertTrue(unknown.path("msg").asText().contains("sptnosuchdev"), unknown.toString());

            ObjectNode config = f.config("1.1.0", d.device());
            CniCall.run(CniCall.env("ADD", "first", netns, "net1"), config.toString()).ok();
            JsonNode busy = refused(CniCall.run(CniCall.env("ADD", "second", other, "net1"), config.toString()),
                    CniException.DEVICE_IN_USE);
            assertTrue(busy.path("details").asText().contains("first"), busy.toString());
            // The runtime follows the failed ADD with DEL: it must not take the device from its holder.
            CniCall.run(CniCall.env("DEL", "second", other, "net1"), config.toString()).ok();
            assertEquals(List.of("first@net1.json"), f.states());
            ObjectNode again = config.deepCopy();
            again.put("deviceID", d.device());
            JsonNode twice = refused(CniCall.run(CniCall.env("ADD", "first", netns, "net2"), again.toString()),
                    CniException.DEVICE_IN_USE);
            assertTrue(twice.path("msg").asText().contains(d.device()), twice.toString());
            CniCall.run(CniCall.env("DEL", "first", netns, "net1"), config.toString()).ok();
            f.assertHome(d);
        }
    }

    @Test
    void statusAnswersForItselfAndItsIpamDelegate() throws Exception {
        try (PoolFixture f = new PoolFixture()) {
            Map<String, String> env = new java.util.HashMap<>(Map.of("CNI_COMMAND", "STATUS", "CNI_PATH", CniCall.CNI_PATH));
            ObjectNode config = f.config("1.1.0", null);
            CniCall.Answer ok = CniCall.run(env, config.toString()).ok();
            assertEquals("", ok.stdout());

            ObjectNode noIpam = config.deepCopy();
            ((ObjectNode) noIpam.path("ipam")).put("type", "sptno-such-ipam");
            JsonNode missing = refused(CniCall.run(env, noIpam.toString()), CniException.NOT_AVAILABLE);
            assertTrue(missing.path("details").asText().contains("sptno-such-ipam"), missing.toString());

            Path notBpffs = f.stateDir.resolve("plain");
            Files.createDirectories(notBpffs);
            ObjectNode noBpffs = config.deepCopy();
            noBpffs.put("bpffsRoot", notBpffs.toString());
            JsonNode bpffs = refused(CniCall.run(env, noBpffs.toString()), CniException.NOT_AVAILABLE);
            assertTrue(bpffs.path("details").asText().contains("bpffs"), bpffs.toString());

            JsonNode old = refused(CniCall.run(env, f.config("1.0.0", null).toString()), CniException.INCOMPATIBLE_VERSION);
            assertTrue(old.path("msg").asText().contains("STATUS"), old.toString());
        }
    }
}
