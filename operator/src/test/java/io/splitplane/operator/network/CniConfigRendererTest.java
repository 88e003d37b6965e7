package io.splitplane.operator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.api.cni.XdpAttach;
import io.splitplane.operator.pool.NetdevSelector;
import io.splitplane.operator.pool.XdpPool;
import io.splitplane.operator.pool.XdpPoolSpec;
import io.splitplane.operator.rules.RuleAction;
import io.splitplane.operator.rules.RuleSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a NetworkAttachmentDefinition carries, read back with the record the CNI plugin reads stdin with. */
class CniConfigRendererTest {

    @Test
    void theNadConfigParsesWithTheCnisRecord() {
        XdpNetwork network = network(Map.of("type", "host-local", "ranges",
                List.of(List.of(Map.of("subnet", "10.9.0.0/24"))), "routes", List.of(Map.of("dst", "0.0.0.0/0"))));
        network.getSpec().setMtu(1450);
        network.getSpec().setXdpAttach(XdpAttachMode.GENERIC);
        RuleSpec rule = new RuleSpec("dns", RuleAction.PASS);
        rule.setProtocol("udp");
        rule.setDstPorts("53");
        network.getSpec().setRules(List.of(rule));

        String json = CniConfigRenderer.json(CniConfigRenderer.render(network, pool(null)));
        NetworkConfig read = ConfigJson.read(json, NetworkConfig.class, "stdin");
        assertEquals("splitplane", read.type());
        assertEquals("ns1.net", read.name());
        assertEquals(1450, read.mtu());
        assertEquals(XdpAttach.GENERIC, read.xdpAttach());
        assertEquals("host-local", read.ipam().type());
        assertEquals("0.0.0.0/0", read.ipam().settings().get("routes").get(0).get("dst").asText());
        assertEquals("dns", read.effectiveClassifier().rules().getFirst().name());
        assertEquals(true, read.capabilities().get("deviceID"));
    }

    @Test
    void withoutRulesOfItsOwnANetworkTakesThePools() {
        RuleSpec poolRule = new RuleSpec("all-udp", RuleAction.REDIRECT);
        poolRule.setProtocol("udp");
        NetworkConfig read = ConfigJson.read(CniConfigRenderer.json(CniConfigRenderer.render(
                network(Map.of("type", "static")), pool(List.of(poolRule)))), NetworkConfig.class, "stdin");
        assertEquals("all-udp", read.effectiveClassifier().rules().getFirst().name());
    }

    @Test
    void badInputIsNamedByItsPathInTheNetwork() {
        InvalidConfigException noType = assertThrows(InvalidConfigException.class,
                () -> CniConfigRenderer.render(network(Map.of("ranges", List.of())), pool(null)));
        assertEquals("spec.ipam.type", noType.field());

        XdpNetwork badPlugin = network(Map.of("type", "../../bin/sh"));
        assertEquals("spec.ipam.type", assertThrows(InvalidConfigException.class,
                () -> CniConfigRenderer.render(badPlugin, pool(null))).field());

        XdpNetwork noPool = network(null);
        InvalidConfigException missing = assertThrows(InvalidConfigException.class,
                () -> CniConfigRenderer.render(noPool, null));
        assertEquals("spec.pool", missing.field());
        assertEquals("no XdpPool 'p'", missing.reason());

        RuleSpec badPoolRule = new RuleSpec("r", RuleAction.PASS);
        badPoolRule.setProtocol("icmpv6");
        badPoolRule.setIpVersion(4);
        InvalidConfigException fromPool = assertThrows(InvalidConfigException.class,
                () -> CniConfigRenderer.render(network(null), pool(List.of(badPoolRule))));
        assertEquals("(XdpPool p) spec.rules[0].protocol", fromPool.field(), "the rule is the pool's, not the network's");
    }

    static XdpNetwork network(Map<String, Object> ipam) {
        XdpNetwork n = new XdpNetwork();
        n.getMetadata().setName("net");
        n.getMetadata().setNamespace("ns1");
        XdpNetworkSpec spec = new XdpNetworkSpec();
        spec.setPool("p");
        spec.setIpam(ipam);
        n.setSpec(spec);
        return n;
    }

    static XdpPool pool(List<RuleSpec> rules) {
        XdpPool pool = new XdpPool();
        pool.getMetadata().setName("p");
        XdpPoolSpec spec = new XdpPoolSpec();
        spec.setDevices(new NetdevSelector());
        spec.setRules(rules);
        pool.setSpec(spec);
        return pool;
    }
}
