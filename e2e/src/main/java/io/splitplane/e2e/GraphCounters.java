package io.splitplane.e2e;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The graph's counters as an operator reads them from a running dataplane, through its control
 * socket ({@code splitplanectl show interfaces}, {@code show runtime}, {@code show errors}): per
 * port rx/tx/drop packets, per node packets, and the drop and punt reasons. The dataplane runs in
 * the vRouter's container, so these commands are the way in.
 */
record GraphCounters(Map<String, long[]> ports, Map<String, Long> nodePackets, Map<String, Long> errors,
                     String interfaces, String runtime, String errorsText) {
    private static final int RX = 0;
    private static final int TX = 1;
    private static final int DROPS = 2;

    /** Reads the three commands through {@code ctl} and parses them. */
    static GraphCounters read(Function<String, String> ctl) {
        String interfaces = ctl.apply("show interfaces");
        String runtime = ctl.apply("show runtime");
        String errors = ctl.apply("show errors");
        return new GraphCounters(parseInterfaces(interfaces), parseRuntime(runtime), parseErrors(errors), interfaces,
                runtime, errors);
    }

    /** {@code Id Name Netdev State MAC MTU rx-packets tx-packets drops Addresses...}, one port a line. */
    static Map<String, long[]> parseInterfaces(String text) {
        Map<String, long[]> ports = new LinkedHashMap<>();
        for (String line : text.lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 9) {
                throw new IllegalStateException("unexpected show interfaces line: '" + line + "'");
            }
            ports.put(f[1], new long[] {Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8])});
        }
        return ports;
    }

    /** {@code Graph ...} headers, a column header, then {@code name [input] calls vectors packets ns pkt/vec}. */
    static Map<String, Long> parseRuntime(String text) {
        Map<String, Long> packets = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (line.startsWith("Graph ") || f.length < 6 || f[0].equals("Name")) {
                continue;
            }
            int calls = f[1].equals("input") ? 2 : 1;
            packets.merge(f[0], Long.parseLong(f[calls + 2]), Long::sum);
        }
        return packets;
    }

    /** {@code Count Node/Reason Description}, or {@code (no errors)}. */
    static Map<String, Long> parseErrors(String text) {
        Map<String, Long> errors = new LinkedHashMap<>();
        for (String line : text.lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+", 3);
            if (f.length >= 2 && f[0].matches("\\d+")) {
                errors.put(f[1], Long.parseLong(f[0]));
            }
        }
        return errors;
    }

    long rxPackets(String port) {
        return port(port)[RX];
    }

    long txPackets(String port) {
        return port(port)[TX];
    }

    long drops(String port) {
        return port(port)[DROPS];
    }

    private long[] port(String port) {
        long[] c = ports.get(port);
        if (c == null) {
            throw new IllegalArgumentException("no port " + port + " in show interfaces:\n" + interfaces);
        }
        return c;
    }

    /** Packets a node processed (0 for a node that has not run). */
    long nodePackets(String node) {
        return nodePackets.getOrDefault(node, 0L);
    }

    /** Every drop and punt counted, over all reasons. */
    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Count of one {@code node/reason}. */
    long error(String nodeAndReason) {
        return errors.getOrDefault(nodeAndReason, 0L);
    }

    @Override
    public String toString() {
        return interfaces + runtime + errorsText;
    }
}
