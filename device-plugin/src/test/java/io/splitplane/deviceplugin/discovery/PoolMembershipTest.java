package io.splitplane.deviceplugin.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.deviceplugin.CandidateDevice;
import io.splitplane.api.deviceplugin.DeviceSelector;
import io.splitplane.api.deviceplugin.PoolConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PoolMembershipTest {
    private static ScannedDevice dev(String name, String driver, boolean up, boolean addresses) {
        return new ScannedDevice(new CandidateDevice(name, driver, null, null, addresses), up, "lo".equals(name),
                OptionalInt.empty(), Optional.empty(), 1);
    }

    private static Map<String, Boolean> health(List<PoolDevice> list) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        list.forEach(d -> m.put(d.id(), d.healthy()));
        return m;
    }

    @Test
    void aDeviceJoinsTheFirstPoolThatSelectsItAndStaysThere() {
        PoolMembership m = new PoolMembership();
        m.setPools(List.of(PoolConfig.of("named", DeviceSelector.names("eth1")),
                PoolConfig.of("veths", DeviceSelector.drivers("veth"))));
        Map<String, List<PoolDevice>> first = m.update(List.of(dev("lo", null, true, true),
                dev("eth1", "veth", true, false), dev("eth2", "veth", true, false), dev("eth3", "ice", true, false)));
        assertEquals(Map.of("eth1", true), health(first.get("named")));
        assertEquals(Map.of("eth2", true), health(first.get("veths")), "eth1 is taken already; lo and ice are not veth");
        assertEquals(Optional.of("named"), m.poolOf("eth1"));
        assertEquals(Map.of(), m.update(List.of(dev("lo", null, true, true), dev("eth1", "veth", true, false),
                dev("eth2", "veth", true, false))), "eth3 was never a member: nothing changed, nothing to send");
    }

    @Test
    void membersStayListedAsUnhealthyWhileDownGoneOrDeselected() {
        PoolMembership m = new PoolMembership();
        m.setPools(List.of(PoolConfig.of("p", DeviceSelector.names("eth*").withWithoutAddresses(true))));
        m.update(List.of(dev("eth1", "veth", true, false), dev("eth2", "veth", true, false)));
        assertEquals(Map.of("eth1", false, "eth2", true),
                health(m.update(List.of(dev("eth1", "veth", false, false), dev("eth2", "veth", true, false))).get("p")));
        assertEquals(Map.of("eth1", false, "eth2", false),
                health(m.update(List.of(dev("eth1", "veth", false, false), dev("eth2", "veth", true, true))).get("p")),
                "eth2 got an address: no longer selected");
        m.update(List.of());
        assertEquals(Map.of("eth1", false, "eth2", false), health(m.devices("p")), "gone: still listed");
        assertEquals(Map.of("eth1", true, "eth2", true),
                health(m.update(List.of(dev("eth1", "veth", true, false), dev("eth2", "veth", true, false))).get("p")));
        assertTrue(m.update(List.of(dev("eth1", "veth", true, false), dev("eth2", "veth", true, false))).isEmpty(),
                "nothing changed, nothing to send");
    }

    @Test
    void anAllocatedDeviceThatLeavesIsInUseUntilItReturns() {
        PoolMembership m = new PoolMembership();
        m.setPools(List.of(PoolConfig.of("p", DeviceSelector.names("eth1"))));
        m.update(List.of(dev("eth1", "veth", true, false)));
        m.markAllocated(List.of("eth1"));
        assertEquals(Map.of(), m.update(List.of()), "moved into the pod: still healthy, no update");
        assertEquals(Map.of("eth1", true), health(m.devices("p")));
        m.update(List.of(dev("eth1", "veth", false, false)));
        assertEquals(Map.of("eth1", false), health(m.devices("p")), "back home (down after the move)");
        assertEquals(Map.of("eth1", true), health(m.update(List.of(dev("eth1", "veth", true, false))).get("p")));
        assertEquals(Map.of("eth1", false), health(m.update(List.of()).get("p")),
                "released by the pod: leaving again is a fault");
    }

    @Test
    void changedPoolsForgetTheirMembersAndUnchangedOnesKeepThem() {
        PoolMembership m = new PoolMembership();
        PoolConfig a = PoolConfig.of("a", DeviceSelector.names("eth1"));
        m.setPools(List.of(a, PoolConfig.of("b", DeviceSelector.names("eth2"))));
        m.update(List.of(dev("eth1", "veth", true, false), dev("eth2", "veth", true, false)));
        m.setPools(List.of(a, PoolConfig.of("b", DeviceSelector.names("eth3"))));
        Map<String, List<PoolDevice>> changed = m.update(List.of(dev("eth1", "veth", true, false),
                dev("eth2", "veth", true, false), dev("eth3", "veth", true, false)));
        assertEquals(Map.of("eth3", true), health(changed.get("b")));
        assertEquals(List.of("b"), List.copyOf(changed.keySet()));
        assertEquals(Optional.empty(), m.poolOf("eth2"));
    }
}
