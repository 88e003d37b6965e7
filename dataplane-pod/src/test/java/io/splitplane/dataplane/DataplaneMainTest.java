package io.splitplane.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry point's argument and config handling (what {@code java -jar} runs, minus the JVM exit). */
class DataplaneMainTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DataplaneMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBadConfigExitsWithTwoAndTheFieldOnStderr(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("dp.json");
        Files.writeString(bad, "{\"ports\":[{\"netdev\":\"eth0\"}],\"routes\":[{\"prefix\":\"10.0.0.0/8\","
                + "\"via\":\"10.0.0.1\",\"port\":\"eth9\"}]}");
        Run r = run("--config", bad.toString());
        assertEquals(DataplaneMain.EXIT_USAGE, r.code());
        assertEquals("invalid config in " + bad + ": routes[0].port: unknown port 'eth9' (ports: [eth0])\n", r.err());

        Path yaml = dir.resolve("dp.yaml");
        Files.writeString(yaml, "ports:\n  - netdev: eth0\nworkers:\n  - {cpus: [4095], ports: [eth0]}\n");
        Run y = run("--config=" + yaml);
        assertEquals(DataplaneMain.EXIT_USAGE, y.code());
        assertEquals("invalid config in " + yaml + ": workers[0].cpus[0]: must be 0-1023, was 4095\n", y.err());

        Path cpu = dir.resolve("cpu.yaml");
        Files.writeString(cpu, "ports:\n  - netdev: eth0\nworkers:\n  - {cpus: [1000], ports: [eth0]}\n");
        Run c = run("--config", cpu.toString());
        assertEquals(DataplaneMain.EXIT_USAGE, c.code());
        assertTrue(c.err().startsWith("invalid config in " + cpu + ": workers[0].cpus[0]: CPU 1000 does not exist"),
                c.err());

        Run missing = run("--config", dir.resolve("none.json").toString());
        assertEquals(DataplaneMain.EXIT_USAGE, missing.code());
        assertTrue(missing.err().startsWith("invalid config in " + dir.resolve("none.json") + ": cannot read the file"),
                missing.err());
    }

    @Test
    void usageErrorsAndCheck(@TempDir Path dir) throws Exception {
        assertEquals(DataplaneMain.EXIT_USAGE, run().code());
        assertTrue(run().err().startsWith("--config FILE is required"));
        assertEquals(DataplaneMain.EXIT_USAGE, run("--config").code());
        assertEquals(DataplaneMain.EXIT_USAGE, run("--bogus").code());
        assertEquals(DataplaneMain.EXIT_OK, run("--help").code());
        Path good = dir.resolve("dp.json");
        Files.writeString(good, "{\"ports\":[{\"netdev\":\"eth0\"}],\"routes\":[{\"prefix\":\"10.0.0.0/8\","
                + "\"via\":\"10.0.0.1\",\"port\":\"eth0\"}]}");
        Run r = run("--config", good.toString(), "--check");
        assertEquals(DataplaneMain.EXIT_OK, r.code(), r.err());
        assertEquals("config " + good + " is valid: 1 port(s), 1 worker(s), 1 route(s), 0 neighbour(s)\n", r.out());
    }

    @Test
    void aNetdevThatDoesNotExistFailsToStartWithOne(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("dp.json");
        Files.writeString(cfg, "{\"ports\":[{\"netdev\":\"sptnosuch0\"}]}");
        Run r = run("--config", cfg.toString());
        assertEquals(DataplaneMain.EXIT_FAILED, r.code());
        assertTrue(r.err().startsWith("dataplane failed to start: "), r.err());
    }
}
