package io.splitplane.deviceplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DevicePluginMainTest {
    @TempDir
    Path dir;

    @Test
    void aBadConfigStopsTheDaemonWithItsMessageAndExitCode2() throws Exception {
        Path config = Files.writeString(dir.resolve("devices.yaml"), "pools:\n  - name: p\n    devices: {names: []}\n");
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new DevicePluginMain()).execute("--config", config.toString(), "--device-plugin-dir",
                    dir.resolve("dp").toString(), "--metrics-port", "-1");
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code);
        assertEquals("invalid config in " + config + ": pools[0].devices: selects every netdev: set at least one of"
                + " names, drivers, pciAddresses or macAddresses", lastLine(err.toString(StandardCharsets.UTF_8)));
        assertTrue(!Files.exists(dir.resolve("dp").resolve("afxdp-p.sock")));
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void theCommandLineNamesItsOptions() {
        String usage = new CommandLine(new DevicePluginMain()).getUsageMessage();
        for (String option : new String[] {"--config", "--device-plugin-dir", "--pod-resources-socket", "--metrics-port",
                "--node-name", "/var/lib/kubelet/device-plugins"}) {
            assertTrue(usage.contains(option), option + " missing from:\n" + usage);
        }
        assertEquals(2, new CommandLine(new DevicePluginMain()).setErr(new java.io.PrintWriter(
                new java.io.StringWriter())).execute("--device-plugin-dir", "/x"), "--config is required");
    }
}
