package io.splitplane.kernel.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.Libc;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The hand-over the CNI needs: one owner loads, attaches, pins and lets go; another reopens the
 * pinned program ({@link BpfProgram#openPinned}), finds its attachment ({@link XdpAttachment#find})
 * and detaches exactly it.
 */
class PinnedProgramTest {
    private static String bpftoolNet(String ns, String link) {
        return Shell.execIn(ns, "bpftool", "net", "show", "dev", link).orThrow().stdout();
    }

    @Test
    void aReopenedProgramFindsAndDetachesItsAttachment() {
        try (TestNetwork net = new TestNetwork()) {
            String nsName = net.namespace("p");
            TestNetwork.Veth veth = net.veth(nsName, nsName);
            Path pin = net.bpffs().resolve("prog");
            int id;
            try (NetNamespace ns = NetNamespace.open(nsName)) {
                int ifindex = ns.call(() -> Libc.ifNameToIndex0(veth.a()));
                try (BpfObject object = TestObjects.loadedProtoCounter()) {
                    BpfProgram program = object.program("proto_counter");
                    id = program.id();
                    program.pin(pin);
                    XdpAttachment attachment = ns.call(() -> program.attachXdp(ifindex, XdpMode.NATIVE));
                    attachment.release();
                    attachment.release();
                    attachment.detach(); // does nothing after release
                    assertFalse(attachment.isAttached(), "a released attachment no longer speaks for the program");
                }
                assertTrue(bpftoolNet(nsName, veth.a()).contains("driver id " + id), "still attached after release");

                try (BpfProgram reopened = BpfProgram.openPinned(pin)) {
                    assertEquals(id, reopened.id());
                    assertEquals("proto_counter", reopened.name());
                    assertEquals(BpfProgram.TYPE_XDP, reopened.type());
                    assertEquals(XdpAction.PASS, reopened.testRun(TestRun.of(TestFrames.udp(new byte[8]))).retval(),
                            "an owned program test-runs like a borrowed one");
                    assertEquals(Optional.empty(), XdpAttachment.find(reopened, 1), "not on loopback");
                    XdpAttachment found = ns.call(() -> XdpAttachment.find(reopened, ifindex)).orElseThrow();
                    assertEquals(XdpMode.NATIVE, found.mode());
                    assertEquals(id, found.programId());
                    assertTrue(found.isAttached());
                    found.detach(); // from the host thread: the attachment remembers its namespace
                    assertFalse(bpftoolNet(nsName, veth.a()).contains("id " + id));
                    assertEquals(Optional.empty(), ns.call(() -> XdpAttachment.find(reopened, ifindex)));

                    // Generic mode is found as such.
                    try (XdpAttachment generic = ns.call(() -> reopened.attachXdp(ifindex, XdpMode.GENERIC))) {
                        XdpAttachment again = ns.call(() -> XdpAttachment.find(reopened, ifindex)).orElseThrow();
                        assertEquals(XdpMode.GENERIC, again.mode());
                        again.release();
                        assertTrue(generic.isAttached());
                    }
                }
            }
            assertTrue(BpfProgram.unpin(pin));
        }
    }

    @Test
    void ownedProgramsCloseOnceAndRefuseWhatIsNotAProgram() {
        try (TestNetwork net = new TestNetwork(); BpfObject object = TestObjects.loadedProtoCounter()) {
            Path pin = net.bpffs().resolve("prog");
            object.program("proto_counter").pin(pin);
            BpfProgram owned = BpfProgram.openPinned(pin);
            assertTrue(owned.isOpen());
            owned.close();
            owned.close();
            assertFalse(owned.isOpen());
            IllegalStateException closed = assertThrows(IllegalStateException.class, owned::fd);
            assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
            assertThrows(IllegalStateException.class,
                    () -> owned.testRun(TestRun.of(TestFrames.udp(new byte[8]))));
            BpfProgram.unpin(pin);

            object.map("verdicts").pin(pin);
            FileDescriptor map = new FileDescriptor(BpfFs.open(pin, "map"), "pinned map");
            IllegalArgumentException notAProgram = assertThrows(IllegalArgumentException.class,
                    () -> BpfProgram.fromFd(map));
            assertTrue(notAProgram.getMessage().contains("is not a BPF program (it is anon_inode:bpf-map)"),
                    notAProgram.getMessage());
            assertFalse(map.isOpen(), "ownership was taken, so the fd was closed");
            BpfMap.unpin(pin);
        }
    }
}
