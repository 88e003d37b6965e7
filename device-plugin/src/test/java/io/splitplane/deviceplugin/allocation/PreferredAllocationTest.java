package io.splitplane.deviceplugin.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.splitplane.deviceplugin.discovery.PoolDevice;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PreferredAllocationTest {
    private final Map<String, PoolDevice> devices = new HashMap<>();

    private void nic(String id, int numa, String pci) {
        devices.put(id, new PoolDevice(id, true, OptionalInt.of(numa), Optional.of(pci)));
    }

    PreferredAllocationTest() {
        nic("a0", 0, "0000:18:00.0");
        nic("a1", 0, "0000:18:00.1");
        nic("b0", 0, "0000:19:00.0");
        nic("c0", 1, "0000:af:00.0");
        nic("c1", 1, "0000:af:00.1");
        nic("c2", 1, "0000:af:00.2");
    }

    @Test
    void staysOnTheNumaNodeOfTheRequiredDeviceAndOnItsNic() {
        assertEquals(List.of("c1", "c0", "c2"), PreferredAllocation.choose(List.of("a0", "a1", "b0", "c0", "c1", "c2"),
                List.of("c1"), 3, devices));
        assertEquals(List.of("a0", "a1"), PreferredAllocation.choose(List.of("b0", "a1", "a0", "c0"),
                List.of("a0"), 2, devices), "a1 shares a0's NIC, b0 only its node");
    }

    @Test
    void withoutRequirementsPicksTheNodeWithMostDevicesAndKeepsNicsTogether() {
        assertEquals(List.of("c0", "c1"), PreferredAllocation.choose(List.of("a0", "b0", "c0", "c1", "c2"),
                List.of(), 2, devices));
        assertEquals(List.of("a0", "a1"), PreferredAllocation.choose(List.of("b0", "a0", "a1", "c0"), List.of(), 2,
                devices), "node 0 has three; the two-function NIC first");
    }

    @Test
    void unhealthyAndUnknownDevicesComeLast() {
        devices.put("a0", new PoolDevice("a0", false, OptionalInt.of(0), Optional.of("0000:18:00.0")));
        assertEquals(List.of("a1", "b0", "a0"), PreferredAllocation.choose(List.of("a0", "a1", "b0"), List.of(), 3,
                devices));
        assertEquals(List.of("a1", "zz"), PreferredAllocation.choose(List.of("zz", "a1"), List.of(), 2, devices));
        assertEquals(List.of("x", "y"), PreferredAllocation.choose(List.of("a1"), List.of("x", "y"), 1, devices),
                "must-include devices are always all there");
    }
}
