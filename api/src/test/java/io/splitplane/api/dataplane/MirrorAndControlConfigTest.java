package io.splitplane.api.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import org.junit.jupiter.api.Test;

/** The {@code mirror} and {@code control} blocks: defaults, values, and errors that name the field. */
class MirrorAndControlConfigTest {
    private static final String PORTS = "\"ports\":[{\"netdev\":\"eth0\"}]";

    private static DataplaneConfig read(String body) {
        return ConfigJson.read("{" + PORTS + (body.isEmpty() ? "" : "," + body) + "}", DataplaneConfig.class, "dp.json");
    }

    private static String error(String body) {
        return assertThrows(InvalidConfigException.class, () -> read(body)).getMessage();
    }

    @Test
    void defaultsMirrorNothingAndServeNothing() {
        DataplaneConfig c = read("");
        assertFalse(c.mirror().mirrorsKernel());
        assertEquals(MirrorConfig.DEFAULT_RECEIVE_BUFFER_BYTES, c.mirror().receiveBufferBytes());
        assertNull(c.control());
    }

    @Test
    void mirrorAndControlAsWritten() {
        DataplaneConfig c = read("\"name\":\"r1\",\"mirror\":{\"kernel\":true,\"receiveBufferBytes\":1048576},"
                + "\"control\":{\"metrics\":\"0.0.0.0:9464\"}");
        assertTrue(c.mirror().mirrorsKernel());
        assertEquals(1048576, c.mirror().receiveBufferBytes());
        assertEquals("/run/splitplane/r1.sock", c.control().socketPath(c.name()));
        assertEquals("0.0.0.0", c.control().metricsHost());
        assertEquals(9464, c.control().metricsPort());
        DataplaneConfig s = read("\"control\":{\"socket\":\"/tmp/x.sock\"}");
        assertEquals("/tmp/x.sock", s.control().socketPath(s.name()));
        assertEquals(-1, s.control().metricsPort());
    }

    @Test
    void badValuesNameTheField() {
        assertEquals("invalid config in dp.json: mirror.receiveBufferBytes: must be 4096-1073741824 (or 0 for the"
                + " default), was 100", error("\"mirror\":{\"kernel\":true,\"receiveBufferBytes\":100}"));
        assertEquals("invalid config in dp.json: control.socket: must be an absolute path of at most 107 characters,"
                + " was 'rel.sock'", error("\"control\":{\"socket\":\"rel.sock\"}"));
        assertEquals("invalid config in dp.json: control.metrics: must be host:port, was '9464'",
                error("\"control\":{\"metrics\":\"9464\"}"));
        assertEquals("invalid config in dp.json: control.metrics: port must be 0-65535, was 70000",
                error("\"control\":{\"metrics\":\"127.0.0.1:70000\"}"));
        assertTrue(error("\"mirror\":{\"kernal\":true}").startsWith(
                "invalid config in dp.json: mirror.kernal: unknown field 'kernal'"), error("\"mirror\":{\"kernal\":true}"));
    }

    @Test
    void theKernelMirrorExcludesStaticRoutesAndNeighbours() {
        assertEquals("invalid config in dp.json: routes: must be empty with mirror.kernel: the kernel's routes are"
                        + " mirrored; add static routes to the kernel (ip route) instead",
                error("\"mirror\":{\"kernel\":true},\"routes\":[{\"prefix\":\"10.0.0.0/8\",\"type\":\"blackhole\"}]"));
        assertEquals("invalid config in dp.json: neighbours: must be empty with mirror.kernel: the kernel's"
                        + " neighbours are mirrored; add them with ip neigh instead",
                error("\"mirror\":{\"kernel\":true},\"neighbours\":[{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:01\","
                        + "\"port\":\"eth0\"}]"));
    }
}
