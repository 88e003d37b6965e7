package io.splitplane.kernel.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * XDP attach and detach on a veth inside a test namespace, cross-checked with {@code ip link} and
 * {@code bpftool net}.
 */
class XdpAttachTest {
    private TestNetwork net;
    private String ns;
    private TestNetwork.Veth veth;
    private BpfObject object;
    private BpfProgram program;

    /** What the system tools say is attached to an interface. */
    private record Attached(String mode, int id) {
    }

    @BeforeEach
    void setUp() {
        net = new TestNetwork();
        ns = net.namespace("x");
        veth = net.veth(ns, ns);
        object = TestObjects.loadedProtoCounter();
        program = object.program("proto_counter");
    }

    @AfterEach
    void tearDown() {
        try {
            object.close();
        } finally {
            net.close();
        }
    }

    private <T> T inNs(Callable<T> task) {
        try (NetNamespace handle = NetNamespace.open(ns)) {
            return handle.call(task);
        }
    }

    /** {@code bpftool net} in the namespace: "driver" or "generic" and the program id, if any. */
    private Optional<Attached> bpftool(String link) {
        Shell.Result result = Shell.execIn(ns, "bpftool", "net", "show", "dev", link);
        String out = result.orThrow().stdout();
        Matcher m = Pattern.compile(Pattern.quote(link) + "\\(\\d+\\) (driver|generic) id (\\d+)").matcher(out);
        return m.find() ? Optional.of(new Attached(m.group(1), Integer.parseInt(m.group(2)))) : Optional.empty();
    }

    /** {@code ip link show}: the link flag word "xdp" (native) or "xdpgeneric", if any. */
    private Optional<String> ipLinkXdp(String link) {
        String out = Shell.ipIn(ns, "-d", "link", "show", "dev", link);
        Matcher m = Pattern.compile(" (xdp|xdpgeneric|xdpoffload|xdpmulti) qdisc").matcher(out);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private void assertAttached(String link, String bpftoolMode, String ipWord, int id) {
        assertEquals(Optional.of(new Attached(bpftoolMode, id)), bpftool(link));
        assertEquals(Optional.of(ipWord), ipLinkXdp(link));
    }

    private void assertNothingAttached(String link) {
        assertEquals(Optional.empty(), bpftool(link));
        assertEquals(Optional.empty(), ipLinkXdp(link));
    }

    @Test
    void attachesNativeAndDetaches() {
        XdpAttachment attachment = inNs(() -> program.attachXdp(veth.a(), XdpMode.NATIVE));
        try (attachment) {
            assertEquals(XdpMode.NATIVE, attachment.mode());
            assertEquals(program.id(), attachment.programId());
            assertAttached(veth.a(), "driver", "xdp", program.id());
            assertTrue(attachment.isAttached(), "asked from the host namespace, answered for the test namespace");
        }
        // Closed on this (host namespace) thread: the detach still happened in the test namespace.
        assertNothingAttached(veth.a());
        assertFalse(attachment.isAttached());
        attachment.detach(); // idempotent
    }

    @Test
    void attachesGenericAndDetaches() {
        int ifindex = inNs(() -> Libc.ifNameToIndex0(veth.b()));
        XdpAttachment attachment = inNs(() -> program.attachXdp(ifindex, XdpMode.GENERIC));
        assertEquals(XdpMode.GENERIC, attachment.mode());
        assertEquals(ifindex, attachment.ifindex());
        assertAttached(veth.b(), "generic", "xdpgeneric", program.id());
        inNs(() -> {
            attachment.detach();
            return null;
        });
        assertNothingAttached(veth.b());
    }

    @Test
    void nativeOrGenericTakesNativeOnVeth() {
        try (XdpAttachment attachment = inNs(() -> program.attachXdp(veth.a(), XdpMode.NATIVE_OR_GENERIC))) {
            assertEquals(XdpMode.NATIVE, attachment.mode());
            assertAttached(veth.a(), "driver", "xdp", program.id());
        }
        assertNothingAttached(veth.a());
    }

    @Test
    void fallsBackToGenericWhereTheDriverHasNoNativeXdp() {
        // Loopback has no native XDP.
        BpfException nativeOnly = assertThrows(BpfException.class, () -> inNs(() -> program.attachXdp("lo", XdpMode.NATIVE)));
        assertEquals(Errno.EOPNOTSUPP, nativeOnly.errno());
        assertTrue(nativeOnly.getMessage().contains("does not support XDP in native mode"), nativeOnly.getMessage());
        try (XdpAttachment attachment = inNs(() -> program.attachXdp("lo", XdpMode.NATIVE_OR_GENERIC))) {
            assertEquals(XdpMode.GENERIC, attachment.mode());
            assertAttached("lo", "generic", "xdpgeneric", program.id());
        }
        assertNothingAttached("lo");
    }

    @Test
    void anOccupiedInterfaceIsNeverTakenOver() {
        try (BpfObject other = TestObjects.loadedProtoCounter();
             XdpAttachment ours = inNs(() -> program.attachXdp(veth.a(), XdpMode.NATIVE))) {
            BpfProgram second = other.program("proto_counter");
            BpfException busy = assertThrows(BpfException.class, () -> inNs(() -> second.attachXdp(veth.a(), XdpMode.NATIVE)));
            assertEquals(Errno.EBUSY, busy.errno());
            assertTrue(busy.getMessage().contains("already attached"), busy.getMessage());

            BpfException otherMode = assertThrows(BpfException.class,
                    () -> inNs(() -> second.attachXdp(veth.a(), XdpMode.GENERIC)));
            assertEquals(Errno.EEXIST, otherMode.errno());
            assertTrue(otherMode.getMessage().contains("native and generic"), otherMode.getMessage());

            BpfException noFallback = assertThrows(BpfException.class,
                    () -> inNs(() -> second.attachXdp(veth.a(), XdpMode.NATIVE_OR_GENERIC)));
            assertEquals(Errno.EBUSY, noFallback.errno(), "an occupied slot is no reason to fall back");
            assertAttached(veth.a(), "driver", "xdp", ours.programId());
        }
    }

    @Test
    void detachNeverRemovesSomeoneElsesProgram() {
        try (BpfObject other = TestObjects.loadedProtoCounter()) {
            XdpAttachment ours = inNs(() -> program.attachXdp(veth.a(), XdpMode.GENERIC));
            // Someone else takes the interface over: removes ours, attaches theirs.
            Shell.ipIn(ns, "link", "set", "dev", veth.a(), "xdpgeneric", "off");
            BpfProgram theirProgram = other.program("proto_counter");
            try (XdpAttachment theirs = inNs(() -> theirProgram.attachXdp(veth.a(), XdpMode.GENERIC))) {
                assertFalse(ours.isAttached());
                ours.close();
                assertAttached(veth.a(), "generic", "xdpgeneric", theirProgram.id());
                assertTrue(theirs.isAttached());
            }
            assertNothingAttached(veth.a());
        }
    }

    @Test
    void theAttachmentOutlivesItsObject() {
        try (XdpAttachment attachment = inNs(() -> program.attachXdp(veth.a(), XdpMode.NATIVE))) {
            int id = program.id();
            object.close();
            assertAttached(veth.a(), "driver", "xdp", id);
            assertTrue(attachment.isAttached());
        }
        assertNothingAttached(veth.a());
    }

    @Test
    void badInterfacesAreClearErrors() {
        for (int ifindex : new int[] {0, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> program.attachXdp(ifindex, XdpMode.NATIVE));
            assertTrue(e.getMessage().contains("ifindex=" + ifindex), e.getMessage());
        }
        for (String name : new String[] {"", ".", "..", "a/b", "a:b", "a b", "tab\t", "sixteen-chars-xx"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> program.attachXdp(name, XdpMode.NATIVE), name);
            assertTrue(e.getMessage().startsWith("interface name"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> program.attachXdp((String) null, XdpMode.NATIVE));
        assertThrows(NullPointerException.class, () -> program.attachXdp(veth.a(), null));

        KernelException unknownName = assertThrows(KernelException.class,
                () -> inNs(() -> program.attachXdp("sptnosuchlink", XdpMode.NATIVE)));
        assertEquals(Errno.ENODEV, unknownName.errno());
        assertTrue(unknownName.getMessage().contains("sptnosuchlink"), unknownName.getMessage());

        BpfException unknownIndex = assertThrows(BpfException.class,
                () -> inNs(() -> program.attachXdp(99_999, XdpMode.NATIVE_OR_GENERIC)));
        assertEquals(Errno.ENODEV, unknownIndex.errno());
        assertTrue(unknownIndex.getMessage().contains("ifindex=99999"), unknownIndex.getMessage());
    }
}
