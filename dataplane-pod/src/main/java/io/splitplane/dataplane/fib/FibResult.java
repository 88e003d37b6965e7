package io.splitplane.dataplane.fib;

/**
 * The 32-bit value a route points at, and what {@link Ip4Fib#lookup(int)} returns: a kind and an id.
 * It is also, with bit 31 clear, exactly what a tbl24/tbl8 entry holds, so a lookup returns the entry
 * it read without decoding it.
 *
 * <pre>
 *  31 30   28 27                                                  0
 * +--+-------+-----------------------------------------------------+
 * |X | kind  |                       id (28 bits)                  |
 * +--+-------+-----------------------------------------------------+
 *  X = 1 only inside tbl24: bits 30..0 are then a tbl8 group index (see {@link Ip4Fib}).
 *      Never set in a target or in a lookup result, so {@code kind(r) == r >>> 28}.
 * </pre>
 *
 * <table>
 * <caption>kinds</caption>
 * <tr><th>kind</th><th>id</th><th>what the ip4 nodes do</th></tr>
 * <tr><td>0 {@link #KIND_NO_ROUTE}</td><td>0</td><td>no matching route: drop (counted) or punt to the kernel</td></tr>
 * <tr><td>1 {@link #KIND_NEXT_HOP}</td><td>next-hop id</td><td>forward: {@link NextHopTable#resolve}</td></tr>
 * <tr><td>2 {@link #KIND_GROUP}</td><td>ECMP group id</td><td>forward: {@link EcmpGroupTable#select} on the
 * {@link FlowHash}, then as a next hop</td></tr>
 * <tr><td>3 {@link #KIND_LOCAL}</td><td>caller-defined (e.g. the address's interface)</td><td>deliver to this
 * host (ip4-local)</td></tr>
 * <tr><td>4 {@link #KIND_BLACKHOLE}</td><td>0</td><td>drop silently</td></tr>
 * <tr><td>5 {@link #KIND_UNREACHABLE}</td><td>0</td><td>drop; the kernel would answer ICMP unreachable, so
 * nodes may punt instead</td></tr>
 * <tr><td>6 {@link #KIND_PROHIBIT}</td><td>0</td><td>drop; ICMP administratively prohibited, as above</td></tr>
 * <tr><td>7 {@link #KIND_PUNT}</td><td>0</td><td>give to the kernel (a route type the graph does not
 * handle, e.g. THROW)</td></tr>
 * </table>
 *
 * <p>Kind 0 with id 0 is the all-zero word, so freshly zeroed table memory means "no route" and no
 * initialisation pass is needed. The drop kinds stay distinct so that each has its own counter.
 */
public final class FibResult {
    /** The value of an address no route covers. */
    public static final int NO_ROUTE = 0;

    public static final int KIND_NO_ROUTE = 0;
    public static final int KIND_NEXT_HOP = 1;
    public static final int KIND_GROUP = 2;
    public static final int KIND_LOCAL = 3;
    public static final int KIND_BLACKHOLE = 4;
    public static final int KIND_UNREACHABLE = 5;
    public static final int KIND_PROHIBIT = 6;
    public static final int KIND_PUNT = 7;
    /** Number of kinds: size a per-kind counter array with it. */
    public static final int KIND_COUNT = 8;

    public static final int KIND_SHIFT = 28;
    public static final int ID_BITS = 28;
    public static final int ID_MASK = (1 << ID_BITS) - 1;
    /** Largest id a next hop, group or local target can carry. */
    public static final int MAX_ID = ID_MASK;

    private static final String[] KIND_NAMES = {
        "no-route", "next-hop", "group", "local", "blackhole", "unreachable", "prohibit", "punt",
    };

    private FibResult() {
    }

    /** The kind of a target or lookup result (bit 31 is never set in those). */
    public static int kind(final int result) {
        return result >>> KIND_SHIFT;
    }

    /** The id of a target or lookup result. */
    public static int id(final int result) {
        return result & ID_MASK;
    }

    public static int nextHop(final int nextHopId) {
        return make(KIND_NEXT_HOP, nextHopId);
    }

    public static int group(final int groupId) {
        return make(KIND_GROUP, groupId);
    }

    public static int local(final int localId) {
        return make(KIND_LOCAL, localId);
    }

    public static int blackhole() {
        return KIND_BLACKHOLE << KIND_SHIFT;
    }

    public static int unreachable() {
        return KIND_UNREACHABLE << KIND_SHIFT;
    }

    public static int prohibit() {
        return KIND_PROHIBIT << KIND_SHIFT;
    }

    public static int punt() {
        return KIND_PUNT << KIND_SHIFT;
    }

    /** A target of {@code kind} with {@code id}; throws for ids that do not fit (a caller bug). */
    public static int make(final int kind, final int id) {
        if (kind < 0 || kind >= KIND_COUNT) {
            throw new IllegalArgumentException("kind=" + kind + " out of range 0.." + (KIND_COUNT - 1));
        }
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException("id=" + id + " out of range 0.." + MAX_ID);
        }
        return (kind << KIND_SHIFT) | id;
    }

    /** Whether {@code target} can be installed as a route's target: any kind but no-route, bit 31 clear. */
    public static boolean isRouteTarget(final int target) {
        return target > 0 && kind(target) != KIND_NO_ROUTE;
    }

    /** Whether the result is one of the three drop kinds (blackhole, unreachable, prohibit). */
    public static boolean isDrop(final int result) {
        final int kind = kind(result);
        return kind >= KIND_BLACKHOLE && kind <= KIND_PROHIBIT;
    }

    public static String kindName(final int kind) {
        return kind >= 0 && kind < KIND_COUNT ? KIND_NAMES[kind] : "kind-" + kind;
    }

    /** {@code next-hop 5}, {@code group 2}, {@code local 1}, {@code blackhole}, {@code no-route}. */
    public static String toString(final int result) {
        if (result < 0) {
            return "tbl8-group " + (result & Integer.MAX_VALUE);
        }
        final int kind = kind(result);
        return switch (kind) {
            case KIND_NEXT_HOP, KIND_GROUP, KIND_LOCAL -> kindName(kind) + " " + id(result);
            default -> id(result) == 0 ? kindName(kind) : kindName(kind) + " " + id(result);
        };
    }
}
