package io.splitplane.kernel.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming route dump: same routes as the list dump, table filter, and a consumer that throws. */
class RouteStreamDumpTest {
    private NetlinkFixture fx;
    private String a;

    @BeforeEach
    void setUp() {
        fx = new NetlinkFixture();
        a = fx.name("a");
        fx.vethUp(a, fx.name("pa"));
        fx.ip("addr", "add", "10.1.0.1/24", "dev", a);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void streamsTheSameRoutesAsTheListDump(@TempDir Path dir) throws Exception {
        // 5,000 routes: many dump datagrams, so the stream crosses receive boundaries.
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            batch.add("route add 10." + (100 + i / 256) + "." + (i % 256) + ".0/24 via 10.1.0.2 dev " + a);
        }
        Path file = dir.resolve("routes.batch");
        Files.write(file, batch);
        fx.ip("-batch", file.toString());

        Set<String> streamed = new HashSet<>();
        long delivered = fx.socket.routes(AddressFamily.INET, Route.TABLE_MAIN, r -> streamed.add(r.prefix()));
        Set<String> listed = new HashSet<>();
        fx.socket.routes(AddressFamily.INET, Route.TABLE_MAIN).forEach(r -> listed.add(r.prefix()));

        assertEquals(listed, streamed);
        assertEquals(5001, streamed.size(), "5,000 added plus the connected 10.1.0.0/24");
        assertEquals(5001, delivered);
        assertTrue(streamed.contains("10.119.135.0/24"));

        Set<Integer> tables = new HashSet<>();
        fx.socket.routes(AddressFamily.INET, Route.TABLE_LOCAL, r -> tables.add(r.table()));
        assertEquals(Set.of(Route.TABLE_LOCAL), tables);
    }

    @Test
    void aThrowingConsumerFailsTheCallAndLeavesTheSocketUsable() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> fx.socket.routes(AddressFamily.INET, Route.TABLE_MAIN, r -> {
                    throw new IllegalStateException("consumer says no");
                }));
        assertEquals("consumer says no", e.getMessage());
        // The dump was read to its end: the next request works.
        assertEquals(1, fx.socket.routes(AddressFamily.INET, Route.TABLE_MAIN).size());
    }
}
