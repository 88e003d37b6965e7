package io.splitplane.dataplane.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Log records as logfmt lines, and the finder installed for the JVM. */
class LogfmtLoggerFinderTest {
    private static final Instant TS = Instant.parse("2026-11-26T10:25:15.123Z");

    @Test
    void fieldMessagesStayFieldsAndOthersAreQuoted() {
        assertEquals("ts=2026-11-26T10:25:15.123Z level=info logger=a.B event=agent-started routes=4",
                LogfmtLoggerFinder.line(TS, System.Logger.Level.INFO, "a.B", "event=agent-started routes=4", null));
        assertEquals("ts=2026-11-26T10:25:15.123Z level=warning logger=a.B msg=\"closing \\\"x\\\" failed\\nnext\" "
                        + "error=\"java.io.IOException: gone\"",
                LogfmtLoggerFinder.line(TS, System.Logger.Level.WARNING, "a.B", "closing \"x\" failed\nnext",
                        new java.io.IOException("gone")));
    }

    @Test
    void formatsParametersAndHonoursTheThreshold() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        System.Logger log = new LogfmtLoggerFinder.LogfmtLogger("t", System.Logger.Level.INFO, out);
        log.log(System.Logger.Level.INFO, "event=x n={0} s={1}", 1234567, "y");
        log.log(System.Logger.Level.DEBUG, "event=hidden");
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.endsWith(" level=info logger=t event=x n=1234567 s=y\n"), text);
        assertFalse(text.contains("hidden"));
        assertEquals(1, text.lines().count());
    }

    @Test
    void theJvmUsesIt() {
        assertInstanceOf(LogfmtLoggerFinder.LogfmtLogger.class, System.getLogger("io.splitplane.test"));
    }
}
