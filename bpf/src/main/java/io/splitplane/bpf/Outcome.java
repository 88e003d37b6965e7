package io.splitplane.bpf;

/**
 * What the classifier did with a packet ({@code enum sp_stat}, classifier.h; the ordinal is the
 * index in {@code verdict_stats}). Every packet counts in exactly one outcome.
 */
public enum Outcome {
    /** No rule matched: passed to the kernel. */
    PASS_DEFAULT(true, "no rule matched"),
    /** A pass rule matched. */
    PASS_RULE(true, "a pass rule matched"),
    /** A drop rule matched. */
    DROP(false, "a drop rule matched"),
    /** Redirected into the AF_XDP socket of the packet's rx queue. */
    REDIRECT(false, "redirected into the queue's AF_XDP socket"),
    /** A redirect rule matched but no socket is registered for the queue: passed to the kernel. */
    REDIRECT_NO_SOCKET(true, "a redirect rule matched, no socket on the queue"),
    /** Neither IPv4 nor IPv6 (ARP, LLDP, ...): passed without looking at the rules. */
    NOT_IP(true, "neither IPv4 nor IPv6"),
    /** A non-first fragment that no rule opted in for: passed, the kernel reassembles. */
    LATER_FRAGMENT(true, "non-first fragment, no rule for it"),
    /** The frame ends inside a header or before the IP length: passed. */
    TRUNCATED(true, "frame ends inside a header or before the IP length"),
    /** Impossible header values (IHL < 5, wrong version, contradicting lengths): passed. */
    MALFORMED(true, "impossible header values"),
    /** More VLAN tags or IPv6 extension headers than the parser follows: passed. */
    TOO_DEEP(true, "more VLAN tags or IPv6 extension headers than parsed");

    private final boolean passed;
    private final String description;

    Outcome(boolean passed, String description) {
        this.passed = passed;
        this.description = description;
    }

    /** Whether packets with this outcome went on to the kernel stack. */
    public boolean passed() {
        return passed;
    }

    public String description() {
        return description;
    }
}
