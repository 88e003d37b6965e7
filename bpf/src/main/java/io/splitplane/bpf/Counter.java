package io.splitplane.bpf;

/**
 * A packet and byte count, summed over CPUs.
 *
 * @param packets packets counted
 * @param bytes   their frame lengths (Ethernet header on, FCS off)
 */
public record Counter(long packets, long bytes) {
    public static final Counter ZERO = new Counter(0, 0);

    public Counter plus(Counter other) {
        return new Counter(packets + other.packets, bytes + other.bytes);
    }

    public Counter minus(Counter other) {
        return new Counter(packets - other.packets, bytes - other.bytes);
    }
}
