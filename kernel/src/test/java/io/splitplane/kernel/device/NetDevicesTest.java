package io.splitplane.kernel.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.splitplane.kernel.bpf.BpfObject;
import io.splitplane.kernel.bpf.XdpAttachment;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.bpf.XskRedirect;
import io.splitplane.kernel.netlink.OperState;
import io.splitplane.kernel.netlink.XdpAttachMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.testing.Shell;
import io.splitplane.kernel.testing.TestNetwork;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetDevicesTest {
    private final TestNetwork net = new TestNetwork();

    @AfterEach
    void cleanUp() {
        net.close();
    }

    @Test
    void vethFactsMatchWhatIpAndEthtoolSay() {
        String ns = net.namespace("dev");
        String a = net.uniqueName("q");
        String b = net.uniqueName("r");
        Shell.ipIn(ns, "link", "add", a, "numrxqueues", "4", "numtxqueues", "3", "type", "veth", "peer", "name", b);
        Shell.ipIn(ns, "link", "set", a, "mtu", "1400", "up");
        Shell.ipIn(ns, "link", "set", b, "up");
        try (NetNamespace handle = NetNamespace.open(ns)) {
            NetDevice dev = NetDevices.find(handle, a).orElseThrow();
            assertEquals("veth", dev.driver());
            assertEquals(NetDevice.BUS_VIRTUAL, dev.bus());
            assertTrue(dev.pciAddress().isEmpty());
            assertFalse(dev.isPhysical());
            assertEquals(4, dev.rxQueues());
            assertEquals(3, dev.txQueues());
            assertEquals(1400, dev.mtu());
            assertTrue(dev.up());
            assertEquals(OperState.UP, dev.operState());
            assertEquals("veth", dev.kind().orElseThrow());
            assertEquals(macOf(ns, a), dev.mac().orElseThrow().toString());
            assertFalse(dev.hasXdpProgram());
            assertEquals(Integer.parseInt(Shell.run("ip", "-n", ns, "-o", "link", "show", a).split(":")[0]), dev.index());
        }
    }

    @Test
    void linkLocalAddressesDoNotCountButConfiguredOnesDo() {
        String ns = net.namespace("adr");
        TestNetwork.Veth veth = net.veth(ns, ns);
        try (NetNamespace handle = NetNamespace.open(ns)) {
            // The kernel adds an IPv6 link-local address to an Ethernet device that comes up (when it
            // gets to it); add one ourselves so the check does not depend on that timing.
            Shell.ipIn(ns, "addr", "add", "fe80::7/64", "dev", veth.a(), "nodad");
            NetDevice before = NetDevices.find(handle, veth.a()).orElseThrow();
            assertFalse(before.addresses().isEmpty(), "the link-local address is listed");
            assertFalse(before.hasAddresses(), "link-local addresses do not count: " + before.addresses());
            Shell.ipIn(ns, "addr", "add", "192.0.2.7/24", "dev", veth.a());
            NetDevice after = NetDevices.find(handle, veth.a()).orElseThrow();
            assertTrue(after.hasAddresses());
            assertTrue(after.addresses().stream().anyMatch(x -> x.address().getHostAddress().equals("192.0.2.7")));
        }
    }

    @Test
    void anAttachedXdpProgramIsReportedWithItsMode() {
        String ns = net.namespace("xdp");
        TestNetwork.Veth veth = net.veth(ns, ns);
        try (NetNamespace handle = NetNamespace.open(ns); BpfObject obj = XskRedirect.open()) {
            obj.load();
            XdpAttachment attachment = handle.call(() -> obj.program(XskRedirect.PROGRAM).attachXdp(veth.a(), XdpMode.GENERIC));
            try {
                NetDevice dev = NetDevices.find(handle, veth.a()).orElseThrow();
                assertTrue(dev.hasXdpProgram());
                assertEquals(XdpAttachMode.SKB, dev.xdp().mode());
                assertEquals(obj.program(XskRedirect.PROGRAM).id(), dev.xdp().programId());
            } finally {
                handle.run(attachment::close);
            }
            assertFalse(NetDevices.find(handle, veth.a()).orElseThrow().hasXdpProgram());
        }
    }

    @Test
    void listShowsEveryDeviceOfTheNamespaceAndOnlyThose() {
        String ns = net.namespace("lst");
        TestNetwork.Veth veth = net.veth(ns, null);
        try (NetNamespace handle = NetNamespace.open(ns)) {
            List<String> names = NetDevices.list(handle).stream().map(NetDevice::name).sorted().toList();
            assertEquals(List.of(veth.a(), "lo").stream().sorted().toList(), names);
            NetDevice lo = NetDevices.list(handle).stream().filter(d -> d.name().equals("lo")).findFirst().orElseThrow();
            assertTrue(lo.mac().isEmpty() || lo.mac().get().toString().equals("00:00:00:00:00:00"));
        }
    }

    @Test
    void hostNicFactsMatchEthtool() {
        // Read-only look at the machine's first physical NIC, if it has one.
        NetDevice nic = NetDevices.list().stream().filter(NetDevice::isPhysical).findFirst().orElse(null);
        assumeTrue(nic != null, "this machine has no NIC on a hardware bus");
        String ethtool = Shell.run("ethtool", "-i", nic.name());
        assertEquals(field(ethtool, "driver"), nic.driver());
        String busInfo = field(ethtool, "bus-info");
        if (busInfo.matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]")) {
            assertEquals(busInfo, nic.pciAddress().orElseThrow());
        }
    }

    @Test
    void missingDeviceIsEmptyAndBadNamesAreRejected() {
        String ns = net.namespace("mis");
        try (NetNamespace handle = NetNamespace.open(ns)) {
            assertTrue(NetDevices.find(handle, "spt-nothing").isEmpty());
        }
        assertThrows(IllegalArgumentException.class, () -> NetDevices.find("bad/name"));
        assertThrows(IllegalArgumentException.class, () -> Ethtool.driverInfo("a-name-much-too-long"));
    }

    private static String macOf(String ns, String link) {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(Shell.ipIn(ns, "link", "show", link));
        assertTrue(m.find());
        return m.group(1);
    }

    private static String field(String ethtool, String name) {
        return ethtool.lines().filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).strip())
                .findFirst().orElseThrow();
    }
}
