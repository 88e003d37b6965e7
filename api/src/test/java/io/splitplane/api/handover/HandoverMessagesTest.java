package io.splitplane.api.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HandoverMessagesTest {
    @Test
    void requestReadsWithDefaultVersionAndWritesBack() {
        HandoverRequest r = ConfigJson.read("{\"pod\":\"app-1\",\"namespace\":\"default\",\"netdev\":\"ens1f0\"}",
                HandoverRequest.class, "uds");
        assertEquals(HandoverRequest.of("app-1", "default", "ens1f0"), r);
        String wire = ConfigJson.write(r);
        assertEquals("{\"version\":1,\"pod\":\"app-1\",\"namespace\":\"default\",\"netdev\":\"ens1f0\"}", wire);
        assertEquals(true, wire.getBytes(StandardCharsets.UTF_8).length < HandoverRequest.MAX_BYTES);
    }

    @Test
    void answersRoundTrip() {
        for (HandoverAnswer a : new HandoverAnswer[] {HandoverAnswer.ok("eth1"),
                HandoverAnswer.refused("eth1", "pod default/x does not hold eth1"), HandoverAnswer.error(null, "bad")}) {
            assertEquals(a, ConfigJson.read(ConfigJson.write(a), HandoverAnswer.class, "uds"));
        }
        assertEquals("{\"status\":\"ok\",\"netdev\":\"eth1\"}", ConfigJson.write(HandoverAnswer.ok("eth1")));
    }

    static Stream<Arguments> badMessages() {
        return Stream.of(
                Arguments.of(HandoverRequest.class, "{\"version\":2,\"pod\":\"a\",\"namespace\":\"b\",\"netdev\":\"c\"}",
                        "invalid config in uds: version: unsupported version 2 (supported: 1)"),
                Arguments.of(HandoverRequest.class, "{\"pod\":\"A\",\"namespace\":\"b\",\"netdev\":\"c\"}",
                        "invalid config in uds: pod: not a pod name: 'A'"),
                Arguments.of(HandoverRequest.class, "{\"pod\":\"a\",\"netdev\":\"c\"}",
                        "invalid config in uds: namespace: not a namespace name: 'null'"),
                Arguments.of(HandoverRequest.class, "{\"pod\":\"a\",\"namespace\":\"b\",\"netdev\":\"../x\"}",
                        "invalid config in uds: netdev: not a valid interface name: '../x'"),
                Arguments.of(HandoverRequest.class, "{\"pod\":\"a\",\"namespace\":\"b\",\"netdev\":\"c\",\"fd\":3}",
                        "invalid config in uds: fd: unknown field 'fd' (known: [namespace, netdev, pod, version])"),
                Arguments.of(HandoverAnswer.class, "{\"status\":\"maybe\"}",
                        "invalid config in uds: status: unknown hand-over status 'maybe' (expected one of [ok,"
                                + " refused, error])"),
                Arguments.of(HandoverAnswer.class, "{\"status\":\"refused\",\"netdev\":\"x\"}",
                        "invalid config in uds: reason: a refused answer must say why"),
                Arguments.of(HandoverAnswer.class, "{\"status\":\"ok\",\"reason\":\"fine\"}",
                        "invalid config in uds: reason: an ok answer has no reason"));
    }

    @ParameterizedTest
    @MethodSource("badMessages")
    void badMessagesAreRefused(Class<?> type, String json, String message) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigJson.read(json, type, "uds"));
        assertEquals(message, e.getMessage());
    }

    @Test
    void socketPathsPerAllocationAndPool() {
        HandoverSockets s = new HandoverSockets(Path.of("/run/t"));
        assertEquals(Path.of("/run/t/fast-0001/xsk.sock"), s.hostSocket("fast-0001"));
        assertEquals(Path.of("/run/splitplane/handover/fast/xsk.sock"), HandoverSockets.containerSocket("fast"));
        assertEquals("AFXDP_HANDOVER_FAST_1", HandoverSockets.socketEnvName("fast.1"));
        assertThrows(InvalidConfigException.class, () -> s.hostDirectory("../x"));
        assertThrows(InvalidConfigException.class, () -> HandoverSockets.containerDirectory(".."));
        assertThrows(InvalidConfigException.class, () -> new HandoverSockets(Path.of("rel")));
    }
}
