package io.splitplane.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.ConfigJson;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attach in this JVM, detach in another: the second process knows nothing but the pin directory
 * and the namespace name, as the CNI's DEL knows nothing but its arguments.
 */
class ClassifierCrossProcessTest {
    @Test
    void anotherProcessReopensChangesDetachesAndUnpins() throws Exception {
        try (TestNetwork net = new TestNetwork()) {
            String nsName = net.namespace("x");
            TestNetwork.Veth veth = net.veth(nsName, nsName);
            Path dir = net.bpffs().resolve("pool");
            int programId;
            try (Classifier c = Classifier.load(); NetNamespace ns = NetNamespace.open(nsName)) {
                assertEquals(XdpMode.NATIVE, ns.call(() -> c.attach(veth.b())));
                c.replaceRules(ClassifierPinTest.FIRST);
                c.testRun(TestRun.of(ClassifierPinTest.DNS));
                c.pin(dir);
                programId = c.programId();
            }
            assertTrue(ClassifierPinTest.xdpOn(nsName, veth.b()).contains("driver id " + programId));

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Shell.Result child = Shell.exec(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                    PinnedClassifierProcess.class.getName(), dir.toString(), nsName,
                    ConfigJson.write(ClassifierPinTest.SECOND)), 60);
            assertEquals(0, child.exitCode(), child.stdout() + child.stderr());
            assertEquals("""
                    attached NATIVE
                    dns before 1
                    rules [ntp, dns]
                    detached and unpinned
                    """, child.stdout());

            assertFalse(ClassifierPinTest.xdpOn(nsName, veth.b()).contains("id " + programId));
            assertFalse(Files.exists(dir));
            ClassifierPinTest.assertGone(programId);
        }
    }
}
