package io.splitplane.kernel.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetNamespaceTest {
    private final TestNetwork net = new TestNetwork();

    @AfterEach
    void cleanUp() {
        net.close();
    }

    @Test
    void createdNamespaceIsVisibleToIpAndDeletedLikeIpNetnsDel() {
        String name = net.uniqueName("ns");
        net.onClose(() -> NetNamespace.delete(name));
        try (NetNamespace ns = NetNamespace.create(name)) {
            assertTrue(Shell.ip("netns", "list").contains(name), "ip netns list shows the new namespace");
            // A new namespace has only a loopback device, and ip sees the same one we do.
            String links = Shell.ipIn(name, "-o", "link", "show");
            assertEquals(1, links.lines().count(), links);
            assertTrue(links.contains("lo:"));
            assertNotEquals(hostInode(), ns.inode(), "a new namespace differs from the host's");
        }
        assertTrue(NetNamespace.delete(name));
        assertFalse(Shell.ip("netns", "list").contains(name));
        assertFalse(NetNamespace.exists(name));
        assertFalse(NetNamespace.delete(name), "deleting twice reports that nothing was there");
    }

    @Test
    void createTwiceFailsWithEexistAndLeavesTheFirstIntact() {
        String name = net.namespace("dup");
        KernelException e = assertThrows(KernelException.class, () -> NetNamespace.create(name));
        assertEquals(Errno.EEXIST, e.errno());
        assertTrue(Shell.ip("netns", "list").contains(name));
        Shell.ipIn(name, "link", "show", "lo"); // still a working namespace
    }

    @Test
    void callRunsTheTaskInsideTheNamespaceAndReturnsItsResult() {
        String name = net.namespace("call");
        Shell.ipIn(name, "link", "add", "spt-probe0", "type", "veth", "peer", "name", "spt-probe1");
        try (NetNamespace ns = NetNamespace.open(name)) {
            // /proc/net is the process leader's view; /proc/thread-self/net is this thread's.
            String links = ns.call(() -> String.join(",", Files.readAllLines(Path.of("/proc/thread-self/net/dev"))));
            assertTrue(links.contains("spt-probe0"), "the task saw the namespace's devices: " + links);
            long inside = ns.call(() -> {
                try (NetNamespace self = NetNamespace.current()) {
                    return self.inode();
                }
            });
            assertEquals(ns.inode(), inside);
        }
        assertFalse(readHostDevices().contains("spt-probe0"), "the caller's thread stayed in the host namespace");
    }

    @Test
    void openByPathIsTheSameNamespaceAsOpenByName() {
        String name = net.namespace("path");
        try (NetNamespace byName = NetNamespace.open(name);
             NetNamespace byPath = NetNamespace.openPath(Path.of("/run/netns", name))) {
            assertEquals(byName.inode(), byPath.inode());
        }
    }

    @Test
    void exceptionsFromTheTaskReachTheCaller() {
        String name = net.namespace("exc");
        try (NetNamespace ns = NetNamespace.open(name)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ns.run(() -> {
                throw new IllegalStateException("from inside");
            }));
            assertEquals("from inside", e.getMessage());
        }
    }

    @Test
    void threadFactoryThreadsStartInsideTheNamespace() throws Exception {
        String name = net.namespace("thr");
        try (NetNamespace ns = NetNamespace.open(name)) {
            AtomicReference<Long> seen = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            Thread t = ns.threadFactory("worker").newThread(() -> {
                try (NetNamespace self = NetNamespace.current()) {
                    seen.set(self.inode());
                }
                done.countDown();
            });
            t.start();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(ns.inode(), seen.get());
        }
    }

    @Test
    void missingNamespaceIsAClearError() {
        NamespaceNotFoundException e = assertThrows(NamespaceNotFoundException.class,
                () -> NetNamespace.open(TestNetwork.PREFIX + "-no-such-ns"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("no-such-ns"), e.getMessage());
    }

    @Test
    void invalidNamesAreRejectedBeforeAnySyscall() {
        for (String bad : new String[] {"", "a/b", "..", "has space", "x".repeat(65)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetNamespace.open(bad));
            assertTrue(e.getMessage().contains("invalid network namespace name"), e.getMessage());
        }
    }

    @Test
    void aFileThatIsNotANetworkNamespaceIsRejected() {
        KernelException e = assertThrows(KernelException.class,
                () -> NetNamespace.openPath(Path.of("/proc/self/ns/mnt")));
        assertTrue(e.getMessage().contains("is not a network namespace"), e.getMessage());
    }

    @Test
    void closedHandleCannotBeUsedAndClosesOnce() {
        String name = net.namespace("closed");
        NetNamespace ns = NetNamespace.open(name);
        ns.close();
        ns.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ns.run(() -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    private static long hostInode() {
        try (NetNamespace host = NetNamespace.current()) {
            return host.inode();
        }
    }

    private static String readHostDevices() {
        try {
            return Files.readString(Path.of("/proc/thread-self/net/dev"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
