package io.splitplane.dataplane.fib;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The 64-bit word ip4-rewrite needs to send a packet: what to do, out of which port, to which
 * Ethernet address. {@link NextHopTable#resolve} and {@link NeighbourTable#lookup} return it.
 *
 * <pre>
 *  63    60 59          48 47                                              0
 * +--------+--------------+-------------------------------------------------+
 * | state  |  port (12)   |  destination MAC, first octet in bits 47..40    |
 * +--------+--------------+-------------------------------------------------+
 * </pre>
 *
 * <p>Why one word: the port and the MAC must change together (a neighbour moves, a next hop is
 * replaced). A single 64-bit VarHandle access is atomic, so a worker can never pair one next hop's
 * port with another's MAC, and no sequence lock is needed.
 *
 * <table>
 * <caption>states</caption>
 * <tr><th>state</th><th>meaning</th><th>ip4-rewrite does</th></tr>
 * <tr><td>0 {@link #INVALID}</td><td>no such next hop (removed, never added)</td><td>drop, counted</td></tr>
 * <tr><td>1 {@link #RESOLVED}</td><td>port and MAC valid</td><td>rewrite, send out of port</td></tr>
 * <tr><td>2 {@link #UNRESOLVED}</td><td>port known, neighbour not (yet): needs resolution</td><td>punt to the
 * kernel, which resolves it (and the netlink agent then learns the neighbour)</td></tr>
 * <tr><td>3 {@link #GLEAN}</td><td>directly connected next hop: the neighbour is the packet's own destination;
 * only in the next-hop table, {@link NextHopTable#resolve} replaces it by 1 or 2</td><td>-</td></tr>
 * <tr><td>4 {@link #DROP}</td><td>a blackhole next hop</td><td>drop, counted</td></tr>
 * </table>
 */
public final class Adjacency {
    public static final int INVALID = 0;
    public static final int RESOLVED = 1;
    public static final int UNRESOLVED = 2;
    public static final int GLEAN = 3;
    public static final int DROP = 4;
    public static final int STATE_COUNT = 5;

    public static final int STATE_SHIFT = 60;
    public static final int PORT_SHIFT = 48;
    public static final int PORT_BITS = 12;
    /** Ports are 0 .. {@code MAX_PORTS - 1}. */
    public static final int MAX_PORTS = 1 << PORT_BITS;
    public static final long MAC_MASK = (1L << 48) - 1;

    private static final String[] STATE_NAMES = {"invalid", "resolved", "unresolved", "glean", "drop"};
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static {
        // writeMacs writes both addresses as one 12-byte run.
        if (EthernetHeaderLayout.SOURCE_OFFSET != EthernetHeaderLayout.DESTINATION_OFFSET + 6) {
            throw new ExceptionInInitializerError("h_source does not follow h_dest");
        }
    }

    private Adjacency() {
    }

    public static int state(final long adjacency) {
        return (int) (adjacency >>> STATE_SHIFT);
    }

    public static int port(final long adjacency) {
        return (int) (adjacency >>> PORT_SHIFT) & (MAX_PORTS - 1);
    }

    /** The destination MAC as a 48-bit number (first octet most significant). */
    public static long mac(final long adjacency) {
        return adjacency & MAC_MASK;
    }

    public static boolean isResolved(final long adjacency) {
        return state(adjacency) == RESOLVED;
    }

    public static long resolved(final int port, final long mac) {
        return make(RESOLVED, port, mac);
    }

    public static long unresolved(final int port) {
        return make(UNRESOLVED, port, 0);
    }

    static long make(final int state, final int port, final long mac) {
        return ((long) state << STATE_SHIFT) | ((long) port << PORT_SHIFT) | (mac & MAC_MASK);
    }

    static void checkPort(final int port) {
        if (port < 0 || port >= MAX_PORTS) {
            throw new IllegalArgumentException("port=" + port + " out of range 0.." + (MAX_PORTS - 1));
        }
    }

    /**
     * Writes the Ethernet destination (from {@code adjacency}) and source ({@code sourceMac}, from
     * {@link NextHopTable#portMac}) addresses at {@code l2Offset} of {@code frame}: 12 bytes, the
     * EtherType is left alone. Hot path: one 64-bit and one 32-bit big-endian store (bytes 0-7:
     * destination and the first two source octets; bytes 8-11: the last four). Two stores, not four,
     * keeps the compiled helper small enough for C2 to inline into a node's loop.
     */
    public static void writeMacs(final MemorySegment frame, final long l2Offset, final long adjacency,
                                 final long sourceMac) {
        frame.set(LONG_BE, l2Offset + EthernetHeaderLayout.DESTINATION_OFFSET,
                (adjacency & MAC_MASK) << 16 | (sourceMac >>> 32) & 0xFFFF);
        frame.set(INT_BE, l2Offset + EthernetHeaderLayout.SOURCE_OFFSET + 2, (int) sourceMac);
    }

    /** A MAC from six bytes, as the 48-bit number used here. */
    public static long macOf(final byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("MAC address needs 6 bytes, got length=" + bytes.length);
        }
        long mac = 0;
        for (final byte b : bytes) {
            mac = (mac << 8) | (b & 0xFF);
        }
        return mac;
    }

    /** Parses {@code 02:00:5e:10:00:01}. */
    public static long parseMac(final String text) {
        final String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        }
        long mac = 0;
        for (final String part : parts) {
            if (part.length() != 2) {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'");
            }
            mac = (mac << 8) | Integer.parseInt(part, 16);
        }
        return mac;
    }

    public static String macToString(final long mac) {
        final StringBuilder s = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            final int octet = (int) (mac >>> shift) & 0xFF;
            s.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift > 0) {
                s.append(':');
            }
        }
        return s.toString();
    }

    public static String stateName(final int state) {
        return state >= 0 && state < STATE_COUNT ? STATE_NAMES[state] : "state-" + state;
    }

    /** {@code resolved port 2 02:00:00:00:00:01}. */
    public static String toString(final long adjacency) {
        final int state = state(adjacency);
        return switch (state) {
            case RESOLVED -> "resolved port " + port(adjacency) + " " + macToString(mac(adjacency));
            case UNRESOLVED, GLEAN -> stateName(state) + " port " + port(adjacency);
            default -> stateName(state);
        };
    }
}
