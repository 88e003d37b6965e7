package io.splitplane.api.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class XskMapPathsTest {
    @Test
    void hostAndContainerSidesNameTheSameNetdevDirectory() {
        XskMapPaths paths = new XskMapPaths(Path.of("/run/test-bpffs"));
        assertEquals(Path.of("/run/test-bpffs/eth3/xsks_map"), paths.hostMap("eth3"));
        assertEquals(Path.of("/run/splitplane/afxdp/eth3/xsks_map"), XskMapPaths.containerMap("eth3"));
        assertEquals(Path.of("/sys/fs/bpf/splitplane/eth3"), XskMapPaths.defaults().hostDirectory("eth3"));
    }

    @Test
    void aDottedNetdevGetsAHostDirectoryNameBpffsAccepts() {
        XskMapPaths paths = new XskMapPaths(Path.of("/run/test-bpffs"));
        assertEquals(Path.of("/run/test-bpffs/eth0%2e100/xsks_map"), paths.hostMap("eth0.100"));
        assertEquals("eth0%252e100", XskMapPaths.bpffsName("eth0%2e100"), "a name that looks encoded stays apart");
        assertEquals(Path.of("/run/splitplane/afxdp/eth0.100/xsks_map"), XskMapPaths.containerMap("eth0.100"));
    }

    @Test
    void netdevNamesThatWouldEscapeTheDirectoryAreRefused() {
        XskMapPaths paths = XskMapPaths.defaults();
        for (String bad : new String[] {"..", "a/b", "", "sixteen-chars-xx", "a b"}) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> paths.hostDirectory(bad));
            assertEquals("netdev", e.field());
        }
        assertThrows(InvalidConfigException.class, () -> new XskMapPaths(Path.of("relative")));
    }

    @Test
    void poolEnvironmentVariableIsAValidName() {
        assertEquals("AFXDP_DEVICES_FAST_NET_1", XskMapPaths.devicesEnvName("fast-net.1"));
    }

    @Test
    void handoverModeReadsItsJsonNamesAndRefusesOthers() {
        assertEquals(XskMapHandover.UDS, ConfigJson.read("\"uds\"", XskMapHandover.class, "t"));
        assertEquals("\"pinned\"", ConfigJson.write(XskMapHandover.PINNED));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigJson.read("\"socket\"", XskMapHandover.class, "t"));
        assertEquals(true, e.getMessage().contains("unknown XSKMAP hand-over 'socket'"), e.getMessage());
    }
}
