package io.splitplane.kernel.netlink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.splitplane.kernel.testing.Shell;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/** {@code ip -j -n NS ...} parsed, the independent view the netlink tests compare against. */
final class IpJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IpJson() {
    }

    /** Runs {@code ip -j -n ns args...} and returns the top-level JSON array's elements. */
    static List<JsonNode> ip(String ns, String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-j", "-n", ns));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs {@code ip -j args...} in the test's own (host) namespace; only for reading. */
    static List<JsonNode> ipHere(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-j"));
        command.addAll(List.of(args));
        return run(command);
    }

    private static List<JsonNode> run(List<String> command) {
        String out = Shell.exec(command, 30).orThrow().stdout().strip();
        if (out.isEmpty()) {
            return List.of();
        }
        try {
            JsonNode root = MAPPER.readTree(out);
            return StreamSupport.stream(root.spliterator(), false).toList();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unparsable ip -j output: " + out, e);
        }
    }

    /** The single element whose {@code field} equals {@code value}. */
    static JsonNode only(List<JsonNode> nodes, String field, String value) {
        List<JsonNode> matches = nodes.stream().filter(n -> value.equals(n.path(field).asText())).toList();
        if (matches.size() != 1) {
            throw new AssertionError("expected one entry with " + field + "=" + value + " in " + nodes);
        }
        return matches.get(0);
    }
}
