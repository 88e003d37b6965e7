package io.splitplane.kernel.bpf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** libbpf's print callback reaches the project's logging. */
class LibbpfLogTest {
    @Test
    void subscribersSeeEveryLevel() {
        List<LibbpfLog.Message> seen = new CopyOnWriteArrayList<>();
        try (LibbpfLog.Subscription ignored = LibbpfLog.subscribe(seen::add)) {
            TestObjects.loadedProtoCounter().close();
            assertThrows(BpfException.class, () -> BpfObject.open("not an ELF".getBytes(), "junk"));
        }
        assertTrue(seen.stream().anyMatch(m -> m.level() == Level.DEBUG && m.text().startsWith("libbpf: ")),
                "libbpf's debug lines: " + seen);
        assertTrue(seen.stream().anyMatch(m -> m.level() == Level.WARNING && m.text().contains("not a proper ELF")),
                "libbpf's warning: " + seen);
        assertTrue(seen.stream().noneMatch(m -> m.text().endsWith("\n")), "one message, one line end stripped");

        int before = seen.size();
        assertThrows(BpfException.class, () -> BpfObject.open("still not an ELF".getBytes(), "junk"));
        assertTrue(seen.size() == before, "an ended subscription sees nothing more");
    }

    @Test
    void messagesReachTheSystemLogger() {
        // Without a LoggerFinder of its own the JDK's System.Logger is java.util.logging.
        Logger jul = Logger.getLogger(LibbpfLog.LOGGER_NAME);
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        try {
            assertThrows(BpfException.class, () -> BpfObject.open("not an ELF either".getBytes(), "junk"));
        } finally {
            jul.removeHandler(handler);
        }
        assertTrue(records.stream().anyMatch(r -> r.getLevel() == java.util.logging.Level.WARNING
                && r.getMessage().contains("not a proper ELF")), "records: " + records.stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void longMessagesAreFormattedWhole() {
        // The verifier log arrives as one message far longer than the first formatting buffer.
        List<LibbpfLog.Message> seen = new CopyOnWriteArrayList<>();
        try (LibbpfLog.Subscription ignored = LibbpfLog.subscribe(seen::add);
             BpfObject broken = BpfObject.open(TestObjects.path(TestObjects.VERIFIER_REJECT))) {
            BpfException e = assertThrows(BpfException.class, broken::load);
            assertTrue(e.verifierLog().contains("processed") || e.verifierLog().contains("invalid access"),
                    e.verifierLog());
        }
        assertTrue(seen.stream().anyMatch(m -> m.text().contains("-- BEGIN PROG LOAD LOG --")
                && m.text().contains("-- END PROG LOAD LOG --")), "the whole log in one message: " + seen);
    }
}
