package io.splitplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What vrouter1's container refuses before it starts anything: a hand-over that did not happen. */
class VrouterPodTest {
    @Test
    void noDeviceVariableMeansThePodWasGivenNothing() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> VrouterPod.checkHandover(Map.of("PATH", "/usr/bin")));
        assertEquals("no AFXDP_DEVICES_* variable: the pod was not given any device", e.getMessage());
    }

    @Test
    void aDeviceWithoutItsMountedMapIsNamedWithThePathItLacks() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> VrouterPod.checkHandover(Map.of("AFXDP_DEVICES_VROUTER", "sptnope0a")));
        assertEquals("AFXDP_DEVICES_VROUTER names sptnope0a but /run/splitplane/afxdp/sptnope0a/xsks_map does not"
                + " exist: the device plugin's mount or the CNI's pin is missing", e.getMessage());
    }
}
