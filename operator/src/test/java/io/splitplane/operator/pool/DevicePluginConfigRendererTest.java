package io.splitplane.operator.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.Protocol;
import io.splitplane.api.deviceplugin.CandidateDevice;
import io.splitplane.api.deviceplugin.DevicePluginConfig;
import io.splitplane.api.deviceplugin.PoolConfig;
import io.splitplane.api.handover.XskMapHandover;
import io.splitplane.operator.rules.RuleAction;
import io.splitplane.operator.rules.RuleSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the device plugin is given, read back with the record the device plugin reads it with. */
class DevicePluginConfigRendererTest {

    @Test
    void rendersEveryFieldThroughTheDevicePluginsRecord() {
        XdpPool pool = pool("fast", "2026-01-01T00:00:00Z");
        NetdevSelector devices = pool.getSpec().getDevices();
        devices.setNames(List.of("ens1f*"));
        devices.setDrivers(List.of("ice"));
        devices.setPciAddresses(List.of("0000:3B:00.0"));
        devices.setWithoutAddresses(true);
        NetdevList exclude = new NetdevList();
        exclude.setNames(List.of("ens1f9"));
        devices.setExclude(exclude);
        RuleSpec rule = new RuleSpec("vxlan", RuleAction.REDIRECT);
        rule.setProtocol("udp");
        rule.setDstPorts("4789");
        pool.getSpec().setRules(List.of(rule));
        pool.getSpec().setHandover(Handover.UDS);

        DevicePluginConfigRenderer.Result result = DevicePluginConfigRenderer.render(List.of(pool));
        assertEquals(Map.of(), result.rejected());
        // Through the JSON text, as the ConfigMap carries it and the device plugin reads it.
        DevicePluginConfig read = ConfigJson.read(ConfigJson.write(result.config()), DevicePluginConfig.class, "cm");
        PoolConfig p = read.pools().getFirst();
        assertEquals("fast", p.name());
        assertEquals("afxdp/fast", p.resourceName());
        assertEquals(XskMapHandover.UDS, p.handover());
        assertEquals(List.of("0000:3b:00.0"), p.devices().pciAddresses());
        assertEquals(Protocol.UDP, p.classifier().rules().getFirst().protocol());
        assertEquals(true, p.devices().matches(new CandidateDevice("ens1f0", "ice", "0000:3b:00.0", null, false)));
        assertEquals(false, p.devices().matches(new CandidateDevice("ens1f9", "ice", "0000:3b:00.0", null, false)),
                "excluded");
        assertEquals(false, p.devices().matches(new CandidateDevice("ens1f0", "ice", "0000:3b:00.0", null, true)),
                "has addresses");
    }

    @Test
    void aPoolThatClashesWithAnOlderOneIsLeftOutAndNamed() {
        XdpPool older = pool("a", "2026-01-01T00:00:00Z");
        older.getSpec().getDevices().setNames(List.of("eth1", "eth2"));
        XdpPool newer = pool("b", "2026-02-01T00:00:00Z");
        newer.getSpec().getDevices().setNames(List.of("eth3", "eth2"));
        DevicePluginConfigRenderer.Result result = DevicePluginConfigRenderer.render(List.of(newer, older));
        assertEquals(List.of("a"), result.config().pools().stream().map(PoolConfig::name).toList());
        InvalidConfigException why = result.rejected().get("b");
        assertEquals("XdpPool b", why.source());
        assertEquals("spec.devices.names[1]", why.field());
        assertEquals("netdev 'eth2' is already in pool 'a' (a netdev belongs to at most one pool)", why.reason());
    }

    @Test
    void badFieldsAreNamedByTheirPathInThePool() {
        XdpPool everything = pool("all", null);
        everything.getSpec().setDevices(new NetdevSelector());
        assertEquals("spec.devices", reject(everything).field());

        XdpPool badPci = pool("pci", null);
        badPci.getSpec().getDevices().setPciAddresses(List.of("3b:00.0"));
        InvalidConfigException e = reject(badPci);
        assertEquals("spec.devices.pciAddresses[0]", e.field());

        XdpPool badRule = pool("rule", null);
        RuleSpec r = new RuleSpec("r", RuleAction.DROP);
        r.setProtocol("icmp");
        r.setSrcPorts("1-2");
        badRule.getSpec().setRules(List.of(r));
        assertEquals("spec.rules[0].srcPorts", reject(badRule).field());
    }

    @Test
    void noAcceptablePoolMeansNoConfig() {
        XdpPool bad = pool("bad", null);
        bad.getSpec().setDevices(null);
        DevicePluginConfigRenderer.Result result = DevicePluginConfigRenderer.render(List.of(bad));
        assertNull(result.config());
        assertEquals("spec.devices", result.rejected().get("bad").field());
    }

    private static InvalidConfigException reject(XdpPool pool) {
        return assertThrows(InvalidConfigException.class, () -> DevicePluginConfigRenderer.poolConfig(pool));
    }

    static XdpPool pool(String name, String created) {
        XdpPool pool = new XdpPool();
        pool.getMetadata().setName(name);
        pool.getMetadata().setCreationTimestamp(created);
        XdpPoolSpec spec = new XdpPoolSpec();
        NetdevSelector devices = new NetdevSelector();
        devices.setNames(List.of("eth9"));
        spec.setDevices(devices);
        pool.setSpec(spec);
        return pool;
    }
}
