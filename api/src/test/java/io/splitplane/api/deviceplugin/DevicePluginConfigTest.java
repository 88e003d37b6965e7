package io.splitplane.api.deviceplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.Action;
import io.splitplane.api.handover.XskMapHandover;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DevicePluginConfigTest {
    static final String FULL = """
            {
              "pools": [
                {"name": "fast", "devices": {"drivers": ["ice", "mlx5_core"], "withoutAddresses": true,
                                             "exclude": {"names": ["eth0"], "pciAddresses": ["0000:18:00.3"]}},
                 "classifier": {"rules": [{"name": "udp", "action": "redirect", "protocol": "udp"}]},
                 "handover": "uds"},
                {"name": "test", "devices": {"names": ["veth-dp*", "spt?x"]}}
              ],
              "nodes": [
                {"node": "worker-2", "pools": [{"pool": "fast", "devices": {"pciAddresses": ["0000:18:00.1"]}},
                                               {"pool": "test", "disabled": true}]}
              ],
              "bpffsRoot": "/run/test-bpffs/afxdp",
              "handoverRoot": "/run/test-handover"
            }""";

    static final String FULL_YAML = """
            pools:
              - name: fast
                devices:
                  drivers: [ice, mlx5_core]
                  withoutAddresses: true
                  exclude: {names: [eth0], pciAddresses: ["0000:18:00.3"]}
                classifier:
                  rules:
                    - {name: udp, action: redirect, protocol: udp}
                handover: uds
              - name: test
                devices: {names: ["veth-dp*", "spt?x"]}
            nodes:
              - node: worker-2
                pools:
                  - {pool: fast, devices: {pciAddresses: ["0000:18:00.1"]}}
                  - {pool: test, disabled: true}
            bpffsRoot: /run/test-bpffs/afxdp
            handoverRoot: /run/test-handover
            """;

    private static DevicePluginConfig read(String json) {
        return ConfigJson.read(json, DevicePluginConfig.class, "dp.json");
    }

    private static String pool(String devices) {
        return "{\"pools\":[{\"name\":\"p\",\"devices\":" + devices + "}]}";
    }

    @Test
    void readsTheFullExample() {
        DevicePluginConfig c = read(FULL);
        assertEquals(List.of("fast", "test"), c.pools().stream().map(PoolConfig::name).toList());
        PoolConfig fast = c.pools().get(0);
        assertEquals("afxdp/fast", fast.resourceName());
        assertEquals("afxdp-fast.sock", fast.endpoint());
        assertEquals(XskMapHandover.UDS, fast.handover());
        assertEquals(Action.REDIRECT, fast.classifier().rules().get(0).action());
        assertEquals(List.of("ice", "mlx5_core"), fast.devices().drivers());
        assertTrue(fast.devices().withoutAddresses());
        assertEquals(XskMapHandover.PINNED, c.pools().get(1).handover());
        assertTrue(c.pools().get(1).classifier().rules().isEmpty());
        assertEquals(Path.of("/run/test-bpffs/afxdp/eth3/xsks_map"), c.xskMapPaths().hostMap("eth3"));
        assertEquals(Path.of("/run/test-handover/a1/xsk.sock"), c.handoverSockets().hostSocket("a1"));
    }

    @Test
    void yamlAndJsonAreTheSameConfig(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("dp.yaml");
        Files.writeString(yaml, FULL_YAML);
        assertEquals(read(FULL), ConfigJson.readFile(yaml, DevicePluginConfig.class));
    }

    @Test
    void writtenConfigReadsBackEqual() {
        DevicePluginConfig c = read(FULL);
        assertEquals(c, read(ConfigJson.write(c)));
        DevicePluginConfig minimal = DevicePluginConfig.of(PoolConfig.of("p", DeviceSelector.names("veth1")));
        assertEquals("{\"pools\":[{\"name\":\"p\",\"devices\":{\"names\":[\"veth1\"]},\"classifier\":{\"rules\":[]},"
                + "\"handover\":\"pinned\"}],\"bpffsRoot\":\"/sys/fs/bpf/splitplane\","
                + "\"handoverRoot\":\"/run/splitplane/handover\"}", ConfigJson.write(minimal));
        assertEquals(minimal, read(ConfigJson.write(minimal)));
    }

    @Test
    void nodeOverridesReplaceSelectorsAndDisablePools() {
        DevicePluginConfig c = read(FULL);
        List<PoolConfig> worker2 = c.poolsFor("worker-2");
        assertEquals(1, worker2.size(), "pool 'test' is disabled on worker-2");
        assertEquals(List.of("0000:18:00.1"), worker2.get(0).devices().pciAddresses());
        assertEquals(XskMapHandover.UDS, worker2.get(0).handover(), "the hand-over mode is the pool's");
        assertEquals(1, worker2.get(0).classifier().rules().size(), "the classifier is kept when not overridden");
        assertEquals(c.pools(), c.poolsFor("worker-1"));
        assertEquals(c.pools(), c.poolsFor(null));
    }

    @Test
    void selectorsMatchNamesDriversAddressesAndExclusions() {
        DeviceSelector s = read(FULL).pools().get(0).devices();
        CandidateDevice ice = new CandidateDevice("ens1f0", "ice", "0000:18:00.0", "02:00:00:00:00:01", false);
        assertTrue(s.matches(ice));
        assertFalse(s.matches(new CandidateDevice("ens1f0", "ice", "0000:18:00.0", null, true)), "has addresses");
        assertFalse(s.matches(new CandidateDevice("eth0", "ice", null, null, false)), "excluded by name");
        assertFalse(s.matches(new CandidateDevice("ens1f3", "ice", "0000:18:00.3", null, false)), "excluded by PCI");
        assertFalse(s.matches(new CandidateDevice("ens1f0", "igb", null, null, false)), "other driver");
        assertFalse(s.matches(new CandidateDevice("ens1f0", null, null, null, false)), "unknown driver");

        DeviceSelector names = read(FULL).pools().get(1).devices();
        assertTrue(names.matches(new CandidateDevice("veth-dp0", "veth", null, null, true)));
        assertTrue(names.matches(new CandidateDevice("veth-dp", "veth", null, null, false)), "'*' matches none");
        assertTrue(names.matches(new CandidateDevice("spt1x", "veth", null, null, false)));
        assertFalse(names.matches(new CandidateDevice("spt12x", "veth", null, null, false)), "'?' is one character");
        assertFalse(names.matches(new CandidateDevice("veth-d", "veth", null, null, false)));
        assertEquals(List.of(), names.exactNames());

        DeviceSelector byMac = read(pool("{\"macAddresses\":[\"02:AA:00:00:00:01\"]}")).pools().get(0).devices();
        assertTrue(byMac.matches(new CandidateDevice("x", "veth", null, "02:aa:00:00:00:01", false)));
        assertTrue(byMac.matches(new CandidateDevice("x", "veth", null, "02:AA:00:00:00:01", false)));
        assertFalse(byMac.matches(new CandidateDevice("x", "veth", null, "02:aa:00:00:00:02", false)));

        DeviceSelector all = DeviceSelector.names("*");
        assertFalse(all.matches(new CandidateDevice("lo", null, null, null, true)), "loopback is never selected");
    }

    static Stream<Arguments> goodConfigs() {
        return Stream.of(
                Arguments.of(pool("{\"names\":[\"eth1\"]}"), "afxdp/p"),
                Arguments.of(pool("{\"names\":[\"ens*\"],\"withoutAddresses\":false}"), "afxdp/p"),
                Arguments.of(pool("{\"drivers\":[\"veth\"],\"exclude\":{\"drivers\":[\"veth\"]}}"), "afxdp/p"),
                Arguments.of(pool("{\"pciAddresses\":[\"0000:AF:00.1\"]}"), "afxdp/p"),
                Arguments.of(pool("{\"macAddresses\":[\"02:00:00:00:00:01\"],\"exclude\":{\"macAddresses\":"
                        + "[\"02:00:00:00:00:02\"]}}"), "afxdp/p"),
                Arguments.of("{\"pools\":[{\"name\":\"a.b_c-1\",\"devices\":{\"names\":[\"x\"]}}]}", "afxdp/a.b_c-1"),
                Arguments.of("{\"pools\":[{\"name\":\"" + "p".repeat(63) + "\",\"devices\":{\"names\":[\"x\"]}}]}",
                        "afxdp/" + "p".repeat(63)),
                Arguments.of("{\"pools\":[{\"name\":\"a\",\"devices\":{\"names\":[\"x*\"]}},"
                        + "{\"name\":\"b\",\"devices\":{\"names\":[\"x*\"]}}]}", "afxdp/a"),
                Arguments.of("{\"pools\":[{\"name\":\"p\",\"devices\":{\"names\":[\"x\"]},\"handover\":\"uds\"}],"
                        + "\"nodes\":[]}", "afxdp/p"),
                Arguments.of("{\"pools\":[{\"name\":\"p\",\"devices\":{\"names\":[\"x\"]}}],\"nodes\":[{\"node\":"
                        + "\"n1.example\",\"pools\":[{\"pool\":\"p\",\"classifier\":{\"rules\":[]}}]}]}", "afxdp/p"));
    }

    @ParameterizedTest
    @MethodSource("goodConfigs")
    void goodConfigsAreAccepted(String json, String firstResource) {
        assertEquals(firstResource, read(json).pools().get(0).resourceName());
    }

    static Stream<Arguments> badConfigs() {
        String p = "\"name\":\"p\",\"devices\":{\"names\":[\"x\"]}";
        return Stream.of(
                Arguments.of("", "invalid config in dp.json: empty document"),
                Arguments.of("{}", "invalid config in dp.json: pools: must list at least one pool"),
                Arguments.of("{\"pools\":[]}", "invalid config in dp.json: pools: must list at least one pool"),
                Arguments.of("{\"pools\":[{" + p + "}],\"pool\":1}", "invalid config in dp.json: pool: unknown field"
                        + " 'pool' (known: [bpffsRoot, handoverRoot, nodes, pools])"),
                Arguments.of("{\"pools\":[{" + p + ",\"handOver\":\"uds\"}]}", "invalid config in dp.json: pools[0]"
                        + ".handOver: unknown field 'handOver' (known: [classifier, devices, handover, name])"),
                Arguments.of("{\"pools\":[{\"devices\":{\"names\":[\"x\"]}}]}",
                        "invalid config in dp.json: pools[0].name: must be set"),
                Arguments.of("{\"pools\":[{\"name\":\"-p\",\"devices\":{\"names\":[\"x\"]}}]}",
                        "invalid config in dp.json: pools[0].name: must be 1-63 letters, digits, '-', '_' or '.',"
                                + " starting and ending with a letter or digit, was '-p'"),
                Arguments.of("{\"pools\":[{\"name\":\"a/b\",\"devices\":{\"names\":[\"x\"]}}]}",
                        "invalid config in dp.json: pools[0].name: must be 1-63 letters, digits, '-', '_' or '.',"
                                + " starting and ending with a letter or digit, was 'a/b'"),
                Arguments.of("{\"pools\":[{\"name\":\"" + "p".repeat(64) + "\",\"devices\":{\"names\":[\"x\"]}}]}",
                        "invalid config in dp.json: pools[0].name: must be 1-63 letters, digits, '-', '_' or '.',"
                                + " starting and ending with a letter or digit, was '" + "p".repeat(64) + "'"),
                Arguments.of("{\"pools\":[{\"name\":\"p\"}]}", "invalid config in dp.json: pools[0].devices: must be"
                        + " set (which netdevs belong to the pool)"),
                Arguments.of("{\"pools\":[{" + p + "},{" + p + "}]}", "invalid config in dp.json: pools[1].name:"
                        + " duplicate pool name 'p' (pools[0] has it too)"),
                Arguments.of("{\"pools\":[{\"name\":\"a-b\",\"devices\":{\"names\":[\"x\"]}},"
                        + "{\"name\":\"a.b\",\"devices\":{\"names\":[\"y\"]}}]}", "invalid config in dp.json:"
                        + " pools[1].name: pool 'a.b' and pool 'a-b' would share the variable AFXDP_DEVICES_A_B"),
                Arguments.of("{\"pools\":[{\"name\":\"a\",\"devices\":{\"names\":[\"x\",\"y\"]}},"
                        + "{\"name\":\"b\",\"devices\":{\"names\":[\"z\",\"y\"]}}]}", "invalid config in dp.json:"
                        + " pools[1].devices.names[1]: netdev 'y' is already in pool 'a' (a netdev belongs to at most"
                        + " one pool)"),
                Arguments.of(pool("{}"), "invalid config in dp.json: pools[0].devices: selects every netdev: set at"
                        + " least one of names, drivers, pciAddresses or macAddresses"),
                Arguments.of(pool("{\"withoutAddresses\":true}"), "invalid config in dp.json: pools[0].devices:"
                        + " selects every netdev: set at least one of names, drivers, pciAddresses or macAddresses"),
                Arguments.of(pool("{\"names\":[\"eth1\",\"eth1\"]}"), "invalid config in dp.json: pools[0].devices"
                        + ".names[1]: 'eth1' is listed twice"),
                Arguments.of(pool("{\"names\":[\"\"]}"), "invalid config in dp.json: pools[0].devices.names[0]: must"
                        + " not be empty"),
                Arguments.of(pool("{\"names\":[\"a/b\"]}"), "invalid config in dp.json: pools[0].devices.names[0]:"
                        + " not an interface name or pattern (1-15 characters, no '/', ':' or space; '*' and '?' are"
                        + " wildcards): 'a/b'"),
                Arguments.of(pool("{\"names\":[\"sixteen-chars-xx\"]}"), "invalid config in dp.json: pools[0]"
                        + ".devices.names[0]: not an interface name or pattern (1-15 characters, no '/', ':' or space;"
                        + " '*' and '?' are wildcards): 'sixteen-chars-xx'"),
                Arguments.of(pool("{\"names\":\"eth1\"}"), "invalid config in dp.json: pools[0].devices.names:"
                        + " Cannot construct instance of `java.util.ArrayList` (although at least one Creator exists):"
                        + " no String-argument constructor/factory method to deserialize from String value ('eth1')"),
                Arguments.of(pool("{\"drivers\":[\"mlx5 core\"]}"), "invalid config in dp.json: pools[0].devices"
                        + ".drivers[0]: not a driver name (1-32 letters, digits, '_', '.', '-'): 'mlx5 core'"),
                Arguments.of(pool("{\"pciAddresses\":[\"18:00.1\"]}"), "invalid config in dp.json: pools[0].devices"
                        + ".pciAddresses[0]: not a PCI address (expected dddd:bb:dd.f, e.g. 0000:18:00.1): '18:00.1'"),
                Arguments.of(pool("{\"pciAddresses\":[\"0000:18:00.8\"]}"), "invalid config in dp.json: pools[0]"
                        + ".devices.pciAddresses[0]: not a PCI address (expected dddd:bb:dd.f, e.g. 0000:18:00.1):"
                        + " '0000:18:00.8'"),
                Arguments.of(pool("{\"pciAddresses\":[\"0000:18:00.1\",\"0000:18:00.1\"]}"), "invalid config in"
                        + " dp.json: pools[0].devices.pciAddresses[1]: '0000:18:00.1' is listed twice"),
                Arguments.of(pool("{\"macAddresses\":[\"02:00:00:00:00\"]}"), "invalid config in dp.json: pools[0]"
                        + ".devices.macAddresses[0]: not a MAC address (expected six hex pairs, e.g."
                        + " 02:00:00:00:00:01): '02:00:00:00:00'"),
                Arguments.of(pool("{\"names\":[\"x\"],\"exclude\":{}}"), "invalid config in dp.json: pools[0].devices"
                        + ".exclude: excludes nothing: list names, drivers, pciAddresses or macAddresses, or leave"
                        + " 'exclude' out"),
                Arguments.of(pool("{\"names\":[\"x\"],\"exclude\":{\"names\":[\"x:1\"]}}"), "invalid config in"
                        + " dp.json: pools[0].devices.exclude.names[0]: not an interface name or pattern (1-15"
                        + " characters, no '/', ':' or space; '*' and '?' are wildcards): 'x:1'"),
                Arguments.of(pool("{\"names\":[\"x\"],\"exclude\":[\"eth0\"]}"), "invalid config in dp.json: pools[0]"
                        + ".devices.exclude: Cannot deserialize value of type `io.splitplane.api.deviceplugin.DeviceExclusion`"
                        + " from Array value (token `JsonToken.START_ARRAY`)"),
                Arguments.of(pool("{\"names\":[\"x\"],\"excludes\":{\"names\":[\"y\"]}}"), "invalid config in dp.json:"
                        + " pools[0].devices.excludes: unknown field 'excludes' (known: [drivers, exclude,"
                        + " macAddresses, names, pciAddresses, withoutAddresses])"),
                Arguments.of("{\"pools\":[{" + p + ",\"handover\":\"socket\"}]}", "invalid config in dp.json:"
                        + " pools[0].handover: unknown XSKMAP hand-over 'socket' (expected one of [pinned, uds])"),
                Arguments.of("{\"pools\":[{" + p + ",\"classifier\":{\"rules\":[{\"name\":\"r\",\"action\":"
                        + "\"redirect\",\"dstPorts\":\"80\",\"protocol\":\"icmp\"}]}}]}", null),
                Arguments.of("{\"pools\":[{" + p + "}],\"nodes\":[{\"pools\":[{\"pool\":\"p\",\"disabled\":true}]}]}",
                        "invalid config in dp.json: nodes[0].node: must be set (a node name)"),
                Arguments.of("{\"pools\":[{" + p + "}],\"nodes\":[{\"node\":\"Worker_1\",\"pools\":[{\"pool\":\"p\","
                        + "\"disabled\":true}]}]}", "invalid config in dp.json: nodes[0].node: not a node name"
                        + " (lower-case letters, digits, '-' and '.', at most 253): 'Worker_1'"),
                Arguments.of("{\"pools\":[{" + p + "}],\"nodes\":[{\"node\":\"n1\"}]}", "invalid config in dp.json:"
                        + " nodes[0].pools: must list at least one pool override"),
                Arguments.of("{\"pools\":[{" + p + "}],\"nodes\":[{\"node\":\"n1\",\"pools\":[{\"pool\":\"q\","
                        + "\"disabled\":true}]}]}", "invalid config in dp.json: nodes[0].pools[0].pool: unknown pool"
                        + " 'q' (pools: [p])"),
                Arguments.of("{\"pools\":[{" + p + "}],\"nodes\":[{\"node\":\"n1\",\"pools\":[{\"pool\":\"p\"}]}]}",
                        "invalid config in dp.json: nodes[0].pools[0]: overrides nothing: set devices, classifier or"
                        + " disabled"),
                Arguments.of("{\"pools\":[{" + p + "}],\"nodes\":[{\"node\":\"n1\",\"pools\":[{\"pool\":\"p\","
                        + "\"disabled\":true,\"devices\":{\"names\":[\"y\"]}}]}]}", "invalid config in dp.json:"
                        + " nodes[0].pools[0].disabled: a disabled pool takes no 'devices' or 'classifier'"),
                Arguments.of("{\"pools\":[{" + p + "}],\"nodes\":[{\"node\":\"n1\",\"pools\":[{\"pool\":\"p\","
                        + "\"disabled\":true},{\"pool\":\"p\",\"disabled\":true}]}]}", "invalid config in dp.json:"
                        + " nodes[0].pools[1].pool: pool 'p' is overridden twice (pools[0] too)"),
                Arguments.of("{\"pools\":[{" + p + "}],\"nodes\":[{\"node\":\"n1\",\"pools\":[{\"pool\":\"p\","
                        + "\"disabled\":true}]},{\"node\":\"n1\",\"pools\":[{\"pool\":\"p\",\"disabled\":true}]}]}",
                        "invalid config in dp.json: nodes[1].node: node 'n1' has two entries (nodes[0] too)"),
                Arguments.of("{\"pools\":[{" + p + "}],\"bpffsRoot\":\"sys/fs/bpf\"}", "invalid config in dp.json:"
                        + " bpffsRoot: must be an absolute path, was 'sys/fs/bpf'"),
                Arguments.of("{\"pools\":[{" + p + "}],\"handoverRoot\":\"\"}", "invalid config in dp.json:"
                        + " handoverRoot: must be an absolute path, was ''"),
                Arguments.of("{\"pools\":[{" + p + "}]} {}", "invalid config in dp.json: Trailing"
                        + " token (of type START_OBJECT) found after value (bound as"
                        + " `io.splitplane.api.deviceplugin.DevicePluginConfig`): not allowed as per"
                        + " `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`"));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void badConfigsAreRefusedNamingTheField(String json, String message) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> read(json));
        if (message == null) {
            // The classifier's own message; its exact text is ClassifierRulesJsonTest's business.
            assertTrue(e.getMessage().startsWith("invalid config in dp.json: pools[0].classifier.rules[0]."),
                    e.getMessage());
        } else {
            assertEquals(message, e.getMessage());
        }
    }
}
