package io.splitplane.kernel.bpf;

import static io.splitplane.kernel.bpf.TestFrames.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import org.junit.jupiter.api.Test;

/** The shipped default AF_XDP steering program, loaded from the jar's resource. */
class XskRedirectTest {
    private static long passCount(BpfObject object) {
        return object.map(XskRedirect.VERDICTS_MAP).lookupPerCpu(u32(XdpAction.PASS)).orElseThrow().stream()
                .mapToLong(TestFrames::u64).sum();
    }

    @Test
    void hasTheDocumentedProgramAndMaps() {
        try (BpfObject object = XskRedirect.open()) {
            assertEquals("xsk_redirect", object.name());
            BpfMap xsks = object.map(XskRedirect.XSKS_MAP);
            assertEquals(BpfMap.TYPE_XSKMAP, xsks.type());
            assertEquals(XskRedirect.MAX_QUEUES, xsks.maxEntries());
            assertEquals(4, xsks.keySize());
            assertEquals(4, xsks.valueSize());
            BpfMap verdicts = object.map(XskRedirect.VERDICTS_MAP);
            assertEquals(BpfMap.TYPE_PERCPU_ARRAY, verdicts.type());
            assertEquals(XdpAction.COUNT, verdicts.maxEntries());
            assertEquals(8, verdicts.valueSize());
            assertEquals(BpfProgram.TYPE_XDP, object.program(XskRedirect.PROGRAM).type());
        }
    }

    @Test
    void withoutSocketsEveryFrameGoesToTheKernel() {
        try (BpfObject object = XskRedirect.open()) {
            object.load();
            BpfProgram program = object.program(XskRedirect.PROGRAM);
            byte[] frame = TestFrames.udp(new byte[32]);
            TestRunResult result = program.testRun(TestRun.repeated(frame, 10).withContext(TestRun.xdpContext(0, 0)));
            assertEquals(XdpAction.PASS, result.retval());
            assertEquals(10, passCount(object));
            assertTrue(object.map(XskRedirect.XSKS_MAP).keys().size() <= XskRedirect.MAX_QUEUES);
        }
    }

    @Test
    void framesFromEveryQueueOfARealInterfacePassWithoutSockets() {
        try (TestNetwork net = new TestNetwork(); BpfObject object = XskRedirect.open()) {
            String ns = net.namespace("x");
            // Four receive queues; veth has one unless asked. Deleting the namespace deletes the pair.
            String link = net.uniqueName("q");
            Shell.ipIn(ns, "link", "add", link, "numrxqueues", "4", "numtxqueues", "4", "type", "veth",
                    "peer", "name", net.uniqueName("p"), "numrxqueues", "4", "numtxqueues", "4");
            Shell.ipIn(ns, "link", "set", link, "up");
            // Two slots: queues 0 and 1 have an empty slot, queues 2 and 3 none at all.
            object.map(XskRedirect.XSKS_MAP).setMaxEntries(2);
            object.load();
            BpfProgram program = object.program(XskRedirect.PROGRAM);
            byte[] frame = TestFrames.udp(new byte[32]);
            try (NetNamespace handle = NetNamespace.open(ns)) {
                handle.run(() -> {
                    // A test run "arriving" on a veth queue needs that queue's XDP state, which exists
                    // while a native program is attached.
                    try (XdpAttachment attachment = program.attachXdp(link, XdpMode.NATIVE)) {
                        for (int queue = 0; queue < 4; queue++) {
                            TestRunResult r = program.testRun(TestRun.of(frame)
                                    .withContext(TestRun.xdpContext(attachment.ifindex(), queue)));
                            assertEquals(XdpAction.PASS, r.retval(), "queue " + queue);
                        }
                        BpfException noSuchQueue = assertThrows(BpfException.class, () -> program.testRun(
                                TestRun.of(frame).withContext(TestRun.xdpContext(attachment.ifindex(), 4))));
                        assertEquals(Errno.EINVAL, noSuchQueue.errno());
                    }
                });
            }
            assertEquals(4, passCount(object));
        }
    }

    @Test
    void attachesNativelyForAfXdp() {
        try (TestNetwork net = new TestNetwork(); BpfObject object = XskRedirect.open()) {
            String ns = net.namespace("x");
            TestNetwork.Veth veth = net.veth(ns, ns);
            object.load();
            try (NetNamespace handle = NetNamespace.open(ns);
                 XdpAttachment attachment = handle.call(
                         () -> object.program(XskRedirect.PROGRAM).attachXdp(veth.a(), XdpMode.NATIVE_OR_GENERIC))) {
                assertEquals(XdpMode.NATIVE, attachment.mode());
                assertTrue(attachment.isAttached());
            }
        }
    }

    @Test
    void theXskMapRefusesWhatIsNotAnAfXdpSocket() {
        try (BpfObject object = XskRedirect.open()) {
            object.load();
            BpfMap xsks = object.map(XskRedirect.XSKS_MAP);
            // A map fd is no AF_XDP socket.
            BpfException e = assertThrows(BpfException.class, () -> xsks.update(u32(0), u32(xsks.fd())));
            assertTrue(e.errno() > 0);
            assertTrue(e.getMessage().startsWith("bpf_map_update_elem(map 'xsks_map') failed"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> xsks.update(u32(0), new byte[8]));
        }
    }
}
