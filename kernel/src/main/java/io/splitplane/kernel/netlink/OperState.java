package io.splitplane.kernel.netlink;

/** RFC 2863 operational state of a link ({@code IFLA_OPERSTATE}, {@code IF_OPER_*}). */
public enum OperState {
    UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP;

    /** The state for a kernel value; values this enum does not know map to {@link #UNKNOWN}. */
    static OperState of(int value) {
        OperState[] all = values();
        return value >= 0 && value < all.length ? all[value] : UNKNOWN;
    }
}
