package io.splitplane.api.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.Action;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataplaneConfigTest {
    static final String JSON = """
            {
              "name": "r1",
              "ports": [
                {"name": "left", "netdev": "veth-l", "queues": [0], "mode": "copy",
                 "classifier": {"rules": [{"name": "udp", "action": "redirect", "protocol": "udp"}]}},
                {"name": "right", "netdev": "veth-r", "mode": "zerocopy", "busyPoll": {"timeoutUs": 20, "budget": 64},
                 "mac": "02:00:00:00:00:02"}
              ],
              "umem": {"frames": 8192, "frameSize": 2048},
              "workers": [{"cpus": [0], "ports": ["left", "right"]}],
              "routes": [
                {"prefix": "10.2.0.0/16", "via": "10.0.2.2", "port": "right"},
                {"prefix": "10.9.0.0/16", "via": ["10.0.2.2", "10.0.2.3"], "port": "right"},
                {"prefix": "10.1.0.0/24", "port": "left"},
                {"prefix": "0.0.0.0/0", "nextHops": [{"via": "10.0.1.1", "port": "left"},
                                                     {"via": "10.0.2.9", "port": "right", "weight": 3}]},
                {"prefix": "192.0.2.0/24", "type": "blackhole"}
              ],
              "neighbours": [{"ip": "10.0.2.2", "mac": "02:00:00:00:02:02", "port": "right"}]
            }""";

    static final String YAML = """
            name: r1
            ports:
              - name: left
                netdev: veth-l
                queues: [0]
                mode: copy
                classifier:
                  rules:
                    - {name: udp, action: redirect, protocol: udp}
              - name: right
                netdev: veth-r
                mode: zerocopy
                busyPoll: {timeoutUs: 20, budget: 64}
                mac: "02:00:00:00:00:02"
            umem: {frames: 8192, frameSize: 2048}
            workers:
              - {cpus: [0], ports: [left, right]}
            routes:
              - {prefix: 10.2.0.0/16, via: 10.0.2.2, port: right}
              - {prefix: 10.9.0.0/16, via: [10.0.2.2, 10.0.2.3], port: right}
              - {prefix: 10.1.0.0/24, port: left}
              - prefix: 0.0.0.0/0
                nextHops:
                  - {via: 10.0.1.1, port: left}
                  - {via: 10.0.2.9, port: right, weight: 3}
              - {prefix: 192.0.2.0/24, type: blackhole}
            neighbours:
              - {ip: 10.0.2.2, mac: "02:00:00:00:02:02", port: right}
            """;

    private static InvalidConfigException bad(String json) {
        return assertThrows(InvalidConfigException.class, () -> ConfigJson.read(json, DataplaneConfig.class, "dp.json"));
    }

    private static PortConfig minimalPort() {
        return ConfigJson.read("{\"ports\":[{\"netdev\":\"eth0\"}]}", DataplaneConfig.class, "x").ports().getFirst();
    }

    private static String withRoutes(String routes) {
        return "{\"ports\":[{\"netdev\":\"eth0\"},{\"netdev\":\"eth1\"}],\"routes\":" + routes + "}";
    }

    @Test
    void aLocalRouteIsAnAddressWithoutNextHops() {
        DataplaneConfig c = ConfigJson.read(withRoutes("[{\"prefix\":\"10.0.0.1/32\",\"type\":\"local\"}]"),
                DataplaneConfig.class, "dp.json");
        assertEquals(RouteType.LOCAL, c.routes().getFirst().type());
        assertEquals("invalid config in dp.json: routes[0].via: a local route has no next hops", bad(withRoutes(
                "[{\"prefix\":\"10.0.0.1/32\",\"type\":\"local\",\"via\":\"10.0.0.2\"}]")).getMessage());
    }

    @Test
    void readsTheFullExampleAndDefaults() {
        DataplaneConfig c = ConfigJson.read(JSON, DataplaneConfig.class, "dp.json");
        assertEquals("r1", c.name());
        assertEquals(PortMode.COPY, c.ports().get(0).mode());
        assertEquals(Action.REDIRECT, c.ports().get(0).classifier().rules().getFirst().action());
        assertEquals(BusyPollConfig.of(20, 64), c.ports().get(1).busyPoll());
        assertEquals(new BusyPollConfig(20, 64, 50, 2, 200, false), c.ports().get(1).busyPoll());
        assertEquals(List.of(0), c.ports().get(1).queues());
        assertEquals(2048, c.umem().ringSize());
        assertEquals(2, c.routes().get(1).paths().size());
        assertEquals(List.of(new NextHopConfig(null, "left", 1)), c.routes().get(2).paths());
        assertEquals(3, c.routes().get(3).paths().get(1).weight());
        assertEquals(RouteType.BLACKHOLE, c.routes().get(4).type());
        assertEquals(List.of(), c.routes().get(4).paths());
        assertEquals(List.of(0, 1), c.workerPorts(0));

        DataplaneConfig minimal = ConfigJson.read("{\"ports\":[{\"netdev\":\"eth0\"}]}", DataplaneConfig.class, "x");
        assertEquals("dataplane", minimal.name());
        assertEquals("eth0", minimal.ports().getFirst().name());
        assertEquals(PortMode.AUTO, minimal.ports().getFirst().mode());
        assertEquals(List.of(new WorkerConfig(null, List.of("eth0"))), minimal.workers());
        assertEquals(UmemConfig.defaults(), minimal.umem());
        assertEquals(minimal, ConfigJson.read(ConfigJson.write(minimal), DataplaneConfig.class, "round trip"));
    }

    @Test
    void yamlIsTheSameDocumentWithTheSameStrictness(@TempDir Path dir) throws Exception {
        DataplaneConfig json = ConfigJson.read(JSON, DataplaneConfig.class, "dp.json");
        assertEquals(json, ConfigJson.readYaml(YAML, DataplaneConfig.class, "dp.yaml"));
        Path y = dir.resolve("dp.yml");
        Files.writeString(y, YAML);
        assertEquals(json, ConfigJson.readFile(y, DataplaneConfig.class));
        Path j = dir.resolve("dp.json");
        Files.writeString(j, JSON);
        assertEquals(json, ConfigJson.readFile(j, DataplaneConfig.class));

        InvalidConfigException unknown = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    queue: [1]\n", DataplaneConfig.class, "dp.yaml"));
        assertEquals("invalid config in dp.yaml: ports[0].queue: unknown field 'queue' (known: [busyPoll, classifier,"
                + " mac, mode, name, netdev, queues, tuning, xskMap])", unknown.getMessage());
        InvalidConfigException rejected = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    queues: []\n", DataplaneConfig.class, "dp.yaml"));
        assertEquals("invalid config in dp.yaml: ports[0].queues: must not be empty; leave it out for [0]",
                rejected.getMessage());
        InvalidConfigException malformed = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports: [netdev: eth0\n", DataplaneConfig.class, "dp.yaml"));
        assertEquals(true, malformed.getMessage().startsWith("invalid config in dp.yaml: ports: malformed YAML: "),
                malformed.getMessage());
        InvalidConfigException empty = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "# nothing\n", DataplaneConfig.class, "dp.yaml"));
        assertEquals("invalid config in dp.yaml: empty document", empty.getMessage());
        InvalidConfigException enumError = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    mode: fast\n", DataplaneConfig.class, "dp.yaml"));
        assertEquals("invalid config in dp.yaml: ports[0].mode: unknown mode 'fast' (known: copy, zerocopy, auto)",
                enumError.getMessage());
        InvalidConfigException hold = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    busyPoll: {timeoutUs: 20, budget: 64, holdUs: 0}\n", DataplaneConfig.class,
                "dp.yaml"));
        assertEquals("invalid config in dp.yaml: ports[0].busyPoll.holdUs: must be 1-1000000, was 0", hold.getMessage());
        InvalidConfigException flush = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    busyPoll: {timeoutUs: 20, budget: 64, holdUs: 100, groFlushTimeoutUs: 100}\n",
                DataplaneConfig.class, "dp.yaml"));
        assertEquals("invalid config in dp.yaml: ports[0].busyPoll.groFlushTimeoutUs: must be above holdUs (100) and at"
                + " most 1000000, was 100: the port must poll again before the kernel takes the NAPI back",
                flush.getMessage());
        InvalidConfigException defer = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    busyPoll: {timeoutUs: 20, budget: 64, deferHardIrqs: 0}\n",
                DataplaneConfig.class, "dp.yaml"));
        assertEquals("invalid config in dp.yaml: ports[0].busyPoll.deferHardIrqs: must be 1-1000, was 0 (without"
                + " deferral the kernel never leaves the NAPI to the busy poller)", defer.getMessage());
        DataplaneConfig tuned = ConfigJson.readYaml("ports:\n  - netdev: eth0\n    tuning: {fillBatch: 64, txBudget: 128,"
                + " needWakeup: false}\nworkers:\n  - ports: [eth0]\n    vectorSize: 64\n    timing: false\n",
                DataplaneConfig.class, "dp.yaml");
        assertEquals(new PortTuning(64, 128, PortTuning.DEFAULT_MAX_KICKS, false, 0), tuned.ports().getFirst().tuning());
        assertEquals(64, tuned.workers().getFirst().vectorSize());
        assertEquals(false, tuned.workers().getFirst().timing());
        assertEquals(PortTuning.defaults(), minimalPort().tuning());
        InvalidConfigException batch = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    tuning: {fillBatch: 0}\n", DataplaneConfig.class, "dp.yaml"));
        assertEquals("invalid config in dp.yaml: ports[0].tuning.fillBatch: must be 1-4096, was 0", batch.getMessage());
        InvalidConfigException vector = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\nworkers:\n  - ports: [eth0]\n    vectorSize: 512\n", DataplaneConfig.class,
                "dp.yaml"));
        assertEquals("invalid config in dp.yaml: workers[0].vectorSize: must be 1-256, was 512", vector.getMessage());
        assertEquals("/run/splitplane/afxdp/eth0/xsks_map", ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    xskMap: /run/splitplane/afxdp/eth0/xsks_map\n", DataplaneConfig.class,
                "dp.yaml").ports().getFirst().xskMap());
        InvalidConfigException both = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    xskMap: /x/xsks_map\n    classifier: {rules: []}\n",
                DataplaneConfig.class, "dp.yaml"));
        assertEquals("invalid config in dp.yaml: ports[0].xskMap: a port either attaches its own classifier (classifier)"
                + " or joins one attached by someone else (xskMap), not both", both.getMessage());
        InvalidConfigException relative = assertThrows(InvalidConfigException.class, () -> ConfigJson.readYaml(
                "ports:\n  - netdev: eth0\n    xskMap: xsks_map\n", DataplaneConfig.class, "dp.yaml"));
        assertEquals("invalid config in dp.yaml: ports[0].xskMap: must be an absolute path or \"auto\", was 'xsks_map'",
                relative.getMessage());
        InvalidConfigException missing = assertThrows(InvalidConfigException.class, () -> ConfigJson.readFile(
                dir.resolve("nope.yaml"), DataplaneConfig.class));
        assertEquals(dir.resolve("nope.yaml").toString(), missing.source());
    }

    @Test
    void fieldErrorsNameTheirPath() {
        assertEquals("invalid config in dp.json: ports: must list at least one port", bad("{\"ports\":[]}").getMessage());
        assertEquals("invalid config in dp.json: ports[1].name: duplicate port name 'eth0' (ports[0] has it too)",
                bad("{\"ports\":[{\"netdev\":\"eth0\"},{\"name\":\"eth0\",\"netdev\":\"eth1\"}]}").getMessage());
        assertEquals("invalid config in dp.json: ports[1].netdev: netdev 'eth0' is used by ports[0] already",
                bad("{\"ports\":[{\"netdev\":\"eth0\"},{\"name\":\"b\",\"netdev\":\"eth0\"}]}").getMessage());
        assertEquals("invalid config in dp.json: ports[0].queues: must not be empty; leave it out for [0]",
                bad("{\"ports\":[{\"netdev\":\"eth0\",\"queues\":[]}]}").getMessage());
        assertEquals("invalid config in dp.json: ports[0].queues[1]: queue 0 is listed twice",
                bad("{\"ports\":[{\"netdev\":\"eth0\",\"queues\":[0,0]}]}").getMessage());
        assertEquals("invalid config in dp.json: ports[0].mac: not a MAC address (xx:xx:xx:xx:xx:xx): '02:00'",
                bad("{\"ports\":[{\"netdev\":\"eth0\",\"mac\":\"02:00\"}]}").getMessage());
        assertEquals("invalid config in dp.json: umem.frames: must be a power of two in 64-1048576, was 1000",
                bad("{\"ports\":[{\"netdev\":\"eth0\"}],\"umem\":{\"frames\":1000}}").getMessage());
        assertEquals("invalid config in dp.json: umem.frameSize: must be 2048 or 4096, was 3000",
                bad("{\"ports\":[{\"netdev\":\"eth0\"}],\"umem\":{\"frameSize\":3000}}").getMessage());
        assertEquals("invalid config in dp.json: workers[0].cpus[0]: must be 0-1023, was 5000",
                bad("{\"ports\":[{\"netdev\":\"eth0\"}],\"workers\":[{\"cpus\":[5000],\"ports\":[\"eth0\"]}]}")
                        .getMessage());
        assertEquals("invalid config in dp.json: workers[0].idle: must be \"backoff\" or \"spin\", was \"nap\"",
                bad("{\"ports\":[{\"netdev\":\"eth0\"}],\"workers\":[{\"ports\":[\"eth0\"],\"idle\":\"nap\"}]}")
                        .getMessage());
        assertEquals(true, ConfigJson.read("{\"ports\":[{\"netdev\":\"eth0\"}],\"workers\":[{\"ports\":[\"eth0\"],"
                + "\"idle\":\"spin\"}]}", DataplaneConfig.class, "dp.json").workers().getFirst().spins());
        assertEquals(false, ConfigJson.read("{\"ports\":[{\"netdev\":\"eth0\"}]}", DataplaneConfig.class, "dp.json")
                .workers().getFirst().spins());
        assertEquals("invalid config in dp.json: workers[0].ports[0]: unknown port 'eth9' (ports: [eth0])",
                bad("{\"ports\":[{\"netdev\":\"eth0\"}],\"workers\":[{\"ports\":[\"eth9\"]}]}").getMessage());
        assertEquals("invalid config in dp.json: workers: port 'eth1' is in no worker; list it in one",
                bad("{\"ports\":[{\"netdev\":\"eth0\"},{\"netdev\":\"eth1\"}],\"workers\":[{\"ports\":[\"eth0\"]}]}")
                        .getMessage());
        assertEquals("invalid config in dp.json: workers[1].ports[0]: port 'eth0' is run by workers[0] already; a port"
                + " belongs to one worker", bad("{\"ports\":[{\"netdev\":\"eth0\"}],\"workers\":[{\"ports\":[\"eth0\"]},"
                + "{\"ports\":[\"eth0\"]}]}").getMessage());
        assertEquals("invalid config in dp.json: routes[0].port: unknown port 'eth9' (ports: [eth0, eth1])",
                bad(withRoutes("[{\"prefix\":\"10.0.0.0/8\",\"via\":\"10.0.0.1\",\"port\":\"eth9\"}]")).getMessage());
        assertEquals("invalid config in dp.json: routes[0].nextHops[1].port: unknown port 'x' (ports: [eth0, eth1])",
                bad(withRoutes("[{\"prefix\":\"10.0.0.0/8\",\"nextHops\":[{\"via\":\"10.0.0.1\",\"port\":\"eth0\"},"
                        + "{\"via\":\"10.0.0.2\",\"port\":\"x\"}]}]")).getMessage());
        assertEquals("invalid config in dp.json: routes[0].prefix: host bits set in '10.0.0.1/8'",
                bad(withRoutes("[{\"prefix\":\"10.0.0.1/8\",\"port\":\"eth0\"}]")).getMessage());
        assertEquals("invalid config in dp.json: routes[0].prefix: prefix length must be 0-32: '10.0.0.0/33'",
                bad(withRoutes("[{\"prefix\":\"10.0.0.0/33\",\"port\":\"eth0\"}]")).getMessage());
        assertEquals("invalid config in dp.json: routes[0].via[1]: not an IPv4 address: '10.0.0.256'",
                bad(withRoutes("[{\"prefix\":\"10.0.0.0/8\",\"via\":[\"10.0.0.1\",\"10.0.0.256\"],\"port\":\"eth0\"}]"))
                        .getMessage());
        assertEquals("invalid config in dp.json: routes[1].prefix: duplicate route for 10.0.0.0/8 (routes[0] has it"
                + " too)", bad(withRoutes("[{\"prefix\":\"10.0.0.0/8\",\"port\":\"eth0\"},{\"prefix\":\"10.0.0.0/8\","
                + "\"type\":\"blackhole\"}]")).getMessage());
        assertEquals("invalid config in dp.json: routes[0].via: a blackhole route has no next hops",
                bad(withRoutes("[{\"prefix\":\"10.0.0.0/8\",\"type\":\"blackhole\",\"via\":\"10.0.0.1\"}]"))
                        .getMessage());
        assertEquals("invalid config in dp.json: routes[0].port: must be set (or nextHops, or a type other than"
                + " unicast)", bad(withRoutes("[{\"prefix\":\"10.0.0.0/8\",\"via\":\"10.0.0.1\"}]")).getMessage());
        assertEquals("invalid config in dp.json: routes[0].type: unknown route type 'drop' (known: unicast, blackhole,"
                + " unreachable, prohibit, local)", bad(withRoutes("[{\"prefix\":\"10.0.0.0/8\",\"type\":\"drop\"}]"))
                .getMessage());
        assertEquals("invalid config in dp.json: neighbours[0].port: unknown port 'eth7' (ports: [eth0, eth1])",
                bad("{\"ports\":[{\"netdev\":\"eth0\"},{\"netdev\":\"eth1\"}],\"neighbours\":[{\"ip\":\"10.0.0.1\","
                        + "\"mac\":\"02:00:00:00:00:01\",\"port\":\"eth7\"}]}").getMessage());
        assertEquals("invalid config in dp.json: ports[0].classifier.rules[0].action: must be set (redirect, pass or"
                + " drop)", bad("{\"ports\":[{\"netdev\":\"eth0\",\"classifier\":{\"rules\":[{\"name\":\"a\"}]}}]}")
                .getMessage());
    }

    @Test
    void machineChecksNameTheCpu() {
        DataplaneConfig c = ConfigJson.read("{\"ports\":[{\"netdev\":\"eth0\"}],\"workers\":[{\"cpus\":[0,7],"
                + "\"ports\":[\"eth0\"]}]}", DataplaneConfig.class, "dp.json");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> c.checkMachine(2, "dp.json"));
        assertEquals("invalid config in dp.json: workers[0].cpus[1]: CPU 7 does not exist: this machine has CPUs 0-1",
                e.getMessage());
        c.checkMachine(8, "dp.json");
    }
}
