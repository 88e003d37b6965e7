package io.splitplane.kernel.bpf;

/** The verdicts an XDP program returns ({@code enum xdp_action}, linux/bpf.h). */
public final class XdpAction {
    public static final int ABORTED = 0;
    public static final int DROP = 1;
    public static final int PASS = 2;
    public static final int TX = 3;
    public static final int REDIRECT = 4;
    /** The number of actions: per-action counter arrays have this many entries. */
    public static final int COUNT = 5;

    private XdpAction() {
    }

    /** The action's name, e.g. {@code "XDP_PASS"}, or {@code "XDP_ACTION(7)"} for others. */
    public static String name(int action) {
        return switch (action) {
            case ABORTED -> "XDP_ABORTED";
            case DROP -> "XDP_DROP";
            case PASS -> "XDP_PASS";
            case TX -> "XDP_TX";
            case REDIRECT -> "XDP_REDIRECT";
            default -> "XDP_ACTION(" + action + ")";
        };
    }
}
