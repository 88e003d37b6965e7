package io.splitplane.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.cni.result.CniResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts: version order and negotiation, result shapes per version, environment checks. */
class ResultAndVersionTest {
    private static final String RESULT_11 = """
            {"cniVersion":"1.1.0","interfaces":[{"name":"net1","mac":"02:00:00:00:00:01","mtu":1400,
              "sandbox":"/run/netns/p"}],
             "ips":[{"address":"10.1.0.5/24","gateway":"10.1.0.1","interface":0},{"address":"fd00::5/64","interface":0}],
             "routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1","table":100}],"dns":{"nameservers":["10.1.0.53"]}}
            """;

    @Test
    void versionsCompareNumericallyAndNegotiateDownToWhatTheDelegateSpeaks() {
        assertTrue(CniVersion.compare("0.10.0", "0.4.0") > 0);
        assertTrue(CniVersion.atLeast("1.1.0", "1.0.0"));
        assertFalse(CniVersion.atLeast("0.3.1", "0.4.0"));
        List<String> hostLocal = List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0");
        assertEquals("1.0.0", CniVersion.highestCommon(hostLocal, "1.1.0"));
        assertEquals("0.3.1", CniVersion.highestCommon(hostLocal, "0.3.1"));
        assertNull(CniVersion.highestCommon(List.of("1.0.0"), "0.4.0"));
    }

    @Test
    void resultsAreWrittenInTheShapeOfTheVersionAsked() throws Exception {
        CniResult r = CniResult.fromJson(PoolFixture.JSON.readTree(RESULT_11), "test");
        ObjectNode v11 = r.toJson("1.1.0");
        assertEquals(1400, v11.path("interfaces").get(0).path("mtu").asInt());
        assertEquals(100, v11.path("routes").get(0).path("table").asInt());
        assertFalse(v11.path("ips").get(0).has("version"));
        ObjectNode v10 = r.toJson("1.0.0");
        assertFalse(v10.path("interfaces").get(0).has("mtu"), "interface MTU is 1.1.0's");
        assertFalse(v10.path("routes").get(0).has("table"), "route table is 1.1.0's");
        ObjectNode v04 = r.toJson("0.4.0");
        assertEquals("4", v04.path("ips").get(0).path("version").asText());
        assertEquals("6", v04.path("ips").get(1).path("version").asText());
        assertEquals("10.1.0.53", v04.path("dns").path("nameservers").get(0).asText());
        assertEquals(r, CniResult.fromJson(v11, "again"), "what is written reads back equal");
    }

    @Test
    void aResultThatIsNoResultIsADecodingError() throws Exception {
        CniException e = assertThrows(CniException.class,
                () -> CniResult.fromJson(PoolFixture.JSON.readTree("{\"ips\":[{\"gateway\":\"10.0.0.1\"}]}"), "x"));
        assertEquals(CniException.DECODING_FAILURE, e.code());
        assertTrue(e.details().contains("address"), e.details());
    }

    @Test
    void environmentIsCheckedPerCommand() {
        Invocation del = Invocation.fromEnvironment(Map.of("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "abc",
                "CNI_IFNAME", "net1", "CNI_PATH", "/a::/b"));
        assertNull(del.netns(), "DEL needs no CNI_NETNS");
        assertEquals(List.of(java.nio.file.Path.of("/a"), java.nio.file.Path.of("/b")), del.path());
        Invocation gc = Invocation.fromEnvironment(Map.of("CNI_COMMAND", "GC"));
        assertNull(gc.containerId());
        for (String bad : List.of("a/b", "a:b", "a b", "..", "0123456789abcdef")) {
            CniException e = assertThrows(CniException.class, () -> Invocation.fromEnvironment(Map.of("CNI_COMMAND",
                    "ADD", "CNI_CONTAINERID", "c", "CNI_NETNS", "/run/netns/x", "CNI_IFNAME", bad)));
            assertEquals(CniException.INVALID_ENVIRONMENT, e.code());
            assertTrue(e.details().startsWith("CNI_IFNAME"), e.details());
        }
        CniException badId = assertThrows(CniException.class, () -> Invocation.fromEnvironment(Map.of("CNI_COMMAND",
                "ADD", "CNI_CONTAINERID", "-x", "CNI_NETNS", "/run/netns/x", "CNI_IFNAME", "net1")));
        assertTrue(badId.details().startsWith("CNI_CONTAINERID"), badId.details());
        CniException relative = assertThrows(CniException.class, () -> Invocation.fromEnvironment(Map.of(
                "CNI_COMMAND", "CHECK", "CNI_CONTAINERID", "x", "CNI_NETNS", "netns/x", "CNI_IFNAME", "net1")));
        assertTrue(relative.details().startsWith("CNI_NETNS"), relative.details());
    }
}
