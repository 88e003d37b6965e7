package io.splitplane.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading iperf3's JSON report: a real UDP report from this machine, and the reports of failures. */
class UdpIperfTest {

    @Test
    void aRealUdpReportGivesTheServersLossAndTheSendersRate() throws IOException {
        String json;
        try (InputStream in = UdpIperfTest.class.getResourceAsStream("/iperf3-udp-report.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        UdpIperf.Report r = UdpIperf.parse(json, 100_000_000L);
        assertEquals(100_000_000L, r.offeredBitsPerSecond());
        assertEquals(8928, r.packetsSent());
        assertEquals(1543, r.packetsLost());
        assertEquals(17.2827, r.lostPercent(), 1e-4);
        assertEquals(99.79, r.sentBitsPerSecond() / 1e6, 0.01);
        assertEquals(75.04, r.receivedBitsPerSecond() / 1e6, 0.01);
        assertEquals(1.02, r.seconds(), 0.01);
        assertTrue(r.toString().contains("1,543 lost (17.28%)"), r.toString());
    }

    @Test
    void aReportWithoutResultsIsAClearError() {
        String refused = """
                {"start": {"connected": []}, "intervals": [], "end": {},
                 "error": "unable to connect to server: Connection refused"}""";
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> UdpIperf.parse(refused, 1));
        assertTrue(e.getMessage().startsWith("iperf3 report without end.sum_sent/sum_received"), e.getMessage());
        assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    }

    @Test
    void outputThatIsNotJsonIsAClearError() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> UdpIperf.parse("iperf3: error - unable to connect", 1));
        assertEquals("iperf3 printed no JSON report", e.getMessage());
    }
}
