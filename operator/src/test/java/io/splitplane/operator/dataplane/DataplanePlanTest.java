package io.splitplane.operator.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.dataplane.DataplaneConfig;
import io.splitplane.operator.network.XdpNetwork;
import io.splitplane.operator.network.XdpNetworkSpec;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The graph's config a Dataplane gets, read back with the record the dataplane reads its file with. */
class DataplanePlanTest {
    static final Function<String, XdpNetwork> NETWORKS = name -> switch (name) {
        case "a", "b", "c" -> network(name, name.equals("c") ? "slow" : "fast");
        default -> null;
    };

    @Test
    void theConfigParsesWithTheDataplanesRecordAndSharesPortsAmongWorkers() {
        Dataplane dp = dataplane(List.of("a", "b", "c"), 2, List.of(2, 3));
        DataplanePlan plan = DataplanePlan.resolve(dp, NETWORKS);
        DataplaneConfig read = ConfigJson.read(plan.configJson(), DataplaneConfig.class, "dataplane.json");
        assertEquals("r1", read.name());
        assertEquals(List.of("xdp0", "xdp1", "xdp2"), read.ports().stream().map(p -> p.netdev()).toList());
        assertEquals(List.of(List.of("a", "c"), List.of("b")), read.workers().stream().map(w -> w.ports()).toList());
        assertEquals(List.of(List.of(2), List.of(3)), read.workers().stream().map(w -> w.cpus()).toList());
        assertEquals(Map.of("afxdp/fast", 2, "afxdp/slow", 1), plan.resources());
        assertEquals(9100, read.control().metricsPort(), "the port the Deployment declares");
        assertEquals(List.of("auto", "auto", "auto"), read.ports().stream().map(p -> p.xskMap()).toList(),
                "each port joins the classifier the CNI attached to its netdev");
        assertEquals(Boolean.TRUE, read.mirror().kernel(), "the graph follows the pod's kernel");
        assertEquals("[{\"name\":\"a\",\"interface\":\"xdp0\"},{\"name\":\"b\",\"interface\":\"xdp1\"},"
                + "{\"name\":\"c\",\"interface\":\"xdp2\"}]", plan.multusAnnotation());
    }

    @Test
    void badDataplanesAreNamedByTheirPath() {
        assertEquals("spec.networks[1].network", reject(dataplane(List.of("a", "nope"), 1, null)).field());
        assertEquals("spec.networks[1].network", reject(dataplane(List.of("a", "a"), 1, null)).field());
        assertEquals("spec.workers", reject(dataplane(List.of("a"), 2, null)).field());
        assertEquals("spec.cpus", reject(dataplane(List.of("a", "b"), 2, List.of(1))).field());
        Dataplane clash = dataplane(List.of("a", "b"), 1, null);
        clash.getSpec().getNetworks().get(1).setInterfaceName("xdp0");
        assertEquals("spec.networks[1].interfaceName", reject(clash).field());
        Dataplane badQueue = dataplane(List.of("a"), 1, null);
        badQueue.getSpec().getNetworks().getFirst().setQueues(List.of(1, 1));
        assertEquals("spec.networks[0].queues[1]", reject(badQueue).field());
        Dataplane longName = dataplane(List.of("a"), 1, null);
        longName.getMetadata().setName("a-name-longer-than-thirty-two-characters");
        assertEquals("metadata.name", reject(longName).field());
    }

    private static InvalidConfigException reject(Dataplane dp) {
        return assertThrows(InvalidConfigException.class, () -> DataplanePlan.resolve(dp, NETWORKS));
    }

    static Dataplane dataplane(List<String> networks, int workers, List<Integer> cpus) {
        Dataplane d = new Dataplane();
        d.getMetadata().setName("r1");
        d.getMetadata().setNamespace("ns");
        DataplaneSpec spec = new DataplaneSpec();
        spec.setNetworks(networks.stream().map(NetworkAttachment::new).toList());
        spec.setWorkers(workers);
        spec.setCpus(cpus);
        d.setSpec(spec);
        return d;
    }

    static XdpNetwork network(String name, String pool) {
        XdpNetwork n = new XdpNetwork();
        n.getMetadata().setName(name);
        n.getMetadata().setNamespace("ns");
        XdpNetworkSpec spec = new XdpNetworkSpec();
        spec.setPool(pool);
        n.setSpec(spec);
        return n;
    }
}
