package io.splitplane.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as installed elsewhere: through a symlink, and with the AOT cache missing, older than
 * the jar, or damaged. The plugin answers the same every time, and JVM complaints stay on stderr.
 */
class LauncherTest {
    private static final String VERSION = "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":"
            + "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}";

    private static CniCall.Answer version(Path launcher) {
        return CniCall.run(launcher, Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.1.0\"}").ok();
    }

    @Test
    void answersCleanlyWithoutWithStaleAndWithDamagedCache(@TempDir Path dir) throws Exception {
        Path cni = CniCall.LAUNCHER.getParent();
        for (String f : List.of("splitplane", "splitplane.jar")) {
            Files.copy(cni.resolve(f), dir.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path launcher = dir.resolve("splitplane");
        assertEquals(VERSION, version(launcher).stdout(), "no cache");

        Path aot = dir.resolve("splitplane.aot");
        Files.copy(cni.resolve("splitplane.aot"), aot);
        Files.setLastModifiedTime(aot, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        assertEquals(VERSION, version(launcher).stdout(), "a cache older than the jar is not used");

        Files.writeString(aot, "not a cache");
        CniCall.Answer damaged = version(launcher);
        assertEquals(VERSION, damaged.stdout(), "a damaged cache");
        assertTrue(damaged.stderr().contains("aot"), "the JVM's complaint is on stderr: " + damaged.stderr());

        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("splitplane"), launcher);
        assertEquals(VERSION, version(link).stdout(), "through a symlink in a CNI bin directory");

        Files.delete(dir.resolve("splitplane.jar"));
        CniCall.Answer noJar = CniCall.run(link, Map.of("CNI_COMMAND", "VERSION"), "{}");
        assertEquals(CniException.NOT_AVAILABLE, noJar.code(), noJar.toString());
    }
}
