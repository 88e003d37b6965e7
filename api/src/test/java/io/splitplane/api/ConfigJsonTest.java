package io.splitplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigJsonTest {
    record Port(String netdev, int queues) {
        Port {
            if (netdev == null || netdev.isEmpty()) {
                throw InvalidConfigException.field("netdev", "must be set");
            }
            if (queues < 1) {
                throw InvalidConfigException.field("queues", "must be at least 1, was " + queues);
            }
        }
    }

    record Dataplane(String name, List<Port> ports) {
    }

    @Test
    void readsAValidDocument() {
        Dataplane d = ConfigJson.read("{\"name\":\"r1\",\"ports\":[{\"netdev\":\"eth0\",\"queues\":2}]}",
                Dataplane.class, "test.json");
        assertEquals(new Dataplane("r1", List.of(new Port("eth0", 2))), d);
    }

    @Test
    void roundTripsThroughWrite() {
        Dataplane d = new Dataplane("r1", List.of(new Port("eth0", 2), new Port("eth1", 4)));
        assertEquals(d, ConfigJson.read(ConfigJson.write(d), Dataplane.class, "round trip"));
    }

    @Test
    void aRecordRejectingItsFieldIsReportedWithTheFullPath() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigJson.read(
                "{\"name\":\"r1\",\"ports\":[{\"netdev\":\"eth0\",\"queues\":1},{\"netdev\":\"eth1\",\"queues\":0}]}",
                Dataplane.class, "dp.json"));
        assertEquals("ports[1].queues", e.field());
        assertEquals("invalid config in dp.json: ports[1].queues: must be at least 1, was 0", e.getMessage());
    }

    @Test
    void unknownFieldsAreNamedWithTheKnownOnes() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigJson.read(
                "{\"name\":\"r1\",\"ports\":[{\"netdev\":\"eth0\",\"queues\":1,\"queue\":1}]}", Dataplane.class,
                "dp.json"));
        assertEquals("ports[0].queue", e.field());
        assertTrue(e.getMessage().contains("unknown field 'queue' (known: [netdev, queues])"), e.getMessage());
    }

    @Test
    void wrongTypesNameTheField() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigJson.read(
                "{\"name\":\"r1\",\"ports\":[{\"netdev\":\"eth0\",\"queues\":\"two\"}]}", Dataplane.class, "dp.json"));
        assertEquals("ports[0].queues", e.field());
    }

    @Test
    void missingPrimitivesAreErrorsNotZeroes() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigJson.read(
                "{\"name\":\"r1\",\"ports\":[{\"netdev\":\"eth0\",\"queues\":null}]}", Dataplane.class, "dp.json"));
        assertTrue(e.getMessage().contains("queues"), e.getMessage());
    }

    @Test
    void malformedAndEmptyDocumentsAreClearErrors() {
        InvalidConfigException malformed = assertThrows(InvalidConfigException.class,
                () -> ConfigJson.read("{\"name\":", Dataplane.class, "stdin"));
        assertTrue(malformed.getMessage().startsWith("invalid config in stdin: malformed JSON"), malformed.getMessage());
        InvalidConfigException trailing = assertThrows(InvalidConfigException.class,
                () -> ConfigJson.read("{\"name\":\"a\",\"ports\":[]} x", Dataplane.class, "stdin"));
        assertTrue(trailing.getMessage().contains("stdin"), trailing.getMessage());
        InvalidConfigException empty = assertThrows(InvalidConfigException.class,
                () -> ConfigJson.read("  ", Dataplane.class, "stdin"));
        assertEquals("invalid config in stdin: empty document", empty.getMessage());
    }
}
