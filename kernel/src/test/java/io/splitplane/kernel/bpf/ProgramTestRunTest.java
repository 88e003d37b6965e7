package io.splitplane.kernel.bpf;

import static io.splitplane.kernel.bpf.TestFrames.u32;
import static io.splitplane.kernel.bpf.TestFrames.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.sys.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BPF_PROG_TEST_RUN of the proto_counter test program with crafted frames. */
class ProgramTestRunTest {
    private static final int KEY_NOT_IPV4 = 256;
    private static final int KEY_MALFORMED = 257;

    private BpfObject object;
    private BpfProgram program;
    private BpfMap counts;
    private BpfMap verdicts;
    private BpfMap verdictCounts;

    @BeforeEach
    void load() {
        object = TestObjects.loadedProtoCounter();
        program = object.program("proto_counter");
        counts = object.map("proto_counts");
        verdicts = object.map("verdicts");
        verdictCounts = object.map("verdict_counts");
    }

    @AfterEach
    void close() {
        object.close();
    }

    private long count(int key) {
        return counts.lookup(u32(key)).map(TestFrames::u64).orElse(0L);
    }

    private long verdictCount(int action) {
        return verdictCounts.lookupPerCpu(u32(action)).orElseThrow().stream().mapToLong(TestFrames::u64).sum();
    }

    @Test
    void udpFrameIsCountedAndPassedUnchangedByDefault() {
        byte[] frame = TestFrames.udp("hello".getBytes());
        TestRunResult result = program.testRun(TestRun.of(frame));
        assertEquals(XdpAction.PASS, result.retval());
        assertArrayEquals(frame, result.dataOut());
        assertEquals(1, count(TestFrames.IPPROTO_UDP));
        assertEquals(0, count(TestFrames.IPPROTO_TCP));
        assertEquals(1, verdictCount(XdpAction.PASS));
        assertEquals(0, result.contextOut().length);
    }

    @Test
    void returnsTheVerdictConfiguredForTheProtocol() {
        verdicts.update(u32(TestFrames.IPPROTO_UDP), u32(XdpAction.DROP));
        verdicts.update(u32(TestFrames.IPPROTO_TCP), u32(XdpAction.TX));

        assertEquals(XdpAction.DROP, program.testRun(TestRun.of(TestFrames.udp(new byte[32]))).retval());

        byte[] syn = TestFrames.tcpSyn();
        TestRunResult tx = program.testRun(TestRun.of(syn));
        assertEquals(XdpAction.TX, tx.retval());
        assertArrayEquals(TestFrames.macsSwapped(syn), tx.dataOut(), "XDP_TX reflects the frame");

        assertEquals(XdpAction.PASS, program.testRun(TestRun.of(TestFrames.icmpEcho())).retval());
        assertEquals(1, count(TestFrames.IPPROTO_UDP));
        assertEquals(1, count(TestFrames.IPPROTO_TCP));
        assertEquals(1, count(TestFrames.IPPROTO_ICMP));
        assertEquals(1, verdictCount(XdpAction.DROP));
        assertEquals(1, verdictCount(XdpAction.TX));
        assertEquals(1, verdictCount(XdpAction.PASS));
    }

    @Test
    void nonIpv4AndMalformedFramesAreCountedApart() {
        program.testRun(TestRun.of(TestFrames.arpRequest()));
        // Ethernet header plus 10 bytes: too short for an IPv4 header.
        program.testRun(TestRun.of(TestFrames.truncate(TestFrames.udp(new byte[4]), TestFrames.ETH_HLEN + 10)));
        assertEquals(1, count(KEY_NOT_IPV4));
        assertEquals(1, count(KEY_MALFORMED));
    }

    @Test
    void repeatsRunTheProgramThatOftenAndReportADuration() {
        int repeat = 1000;
        TestRunResult result = program.testRun(TestRun.repeated(TestFrames.udp(new byte[64]), repeat));
        assertEquals(XdpAction.PASS, result.retval());
        assertTrue(result.durationNs() > 0, "durationNs=" + result.durationNs());
        assertEquals(repeat, count(TestFrames.IPPROTO_UDP));
        assertEquals(repeat, verdictCount(XdpAction.PASS));
    }

    @Test
    void outputIsOptionalAndBoundedByItsCapacity() {
        byte[] frame = TestFrames.udp(new byte[100]);
        TestRunResult none = program.testRun(new TestRun(frame, 1, 0));
        assertEquals(0, none.dataOut().length);
        assertEquals(XdpAction.PASS, none.retval());

        BpfException small = assertThrows(BpfException.class, () -> program.testRun(new TestRun(frame, 1, 20)));
        assertEquals(Errno.ENOSPC, small.errno());
        assertTrue(small.getMessage().contains("dataOutCapacity=20"), small.getMessage());
    }

    @Test
    void badInputIsAClearError() {
        BpfException tooShort = assertThrows(BpfException.class, () -> program.testRun(TestRun.of(new byte[10])));
        assertEquals(Errno.EINVAL, tooShort.errno());
        assertTrue(tooShort.getMessage().contains("data length=10"), tooShort.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TestRun(new byte[64], 0, 64));
        assertThrows(IllegalArgumentException.class, () -> new TestRun(new byte[64], 1, -1));
        assertThrows(NullPointerException.class, () -> program.testRun(null));
    }

    @Test
    void xdpContextSaysWhereTheFrameArrived() {
        byte[] frame = TestFrames.udp(new byte[8]);
        TestRunResult result = program.testRun(TestRun.of(frame).withContext(TestRun.xdpContext(0, 0)));
        assertEquals(XdpAction.PASS, result.retval());
        assertEquals(XdpMdLayout.SIZE, result.contextOut().length);
        ByteBuffer md = ByteBuffer.wrap(result.contextOut()).order(ByteOrder.nativeOrder());
        assertEquals(0, md.getInt((int) XdpMdLayout.RX_QUEUE_INDEX));

        // A queue other than 0 needs an interface that has it.
        BpfException noInterface = assertThrows(BpfException.class,
                () -> program.testRun(TestRun.of(frame).withContext(TestRun.xdpContext(0, 3))));
        assertEquals(Errno.EINVAL, noInterface.errno());
    }
}
