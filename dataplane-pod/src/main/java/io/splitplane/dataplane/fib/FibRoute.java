package io.splitplane.dataplane.fib;

/**
 * One route as the control side lists it ({@code show ip fib}): {@code prefix/length → target}.
 *
 * @param prefix host-order IPv4 prefix with the host bits clear
 * @param length prefix length, 0..32
 * @param target a {@link FibResult} target
 */
public record FibRoute(int prefix, int length, int target) implements Comparable<FibRoute> {

    public FibRoute {
        Ip4Fib.checkPrefix(prefix, length);
    }

    /** {@code 10.1.0.0/16}. */
    public String prefixString() {
        return Ip4.toString(prefix) + "/" + length;
    }

    /** Whether {@code address} is inside this prefix. */
    public boolean contains(final int address) {
        return (address & PrefixTable.mask(length)) == prefix;
    }

    /** By address (unsigned), then by length. */
    @Override
    public int compareTo(final FibRoute other) {
        final int byPrefix = Integer.compareUnsigned(prefix, other.prefix);
        return byPrefix != 0 ? byPrefix : Integer.compare(length, other.length);
    }

    @Override
    public String toString() {
        return prefixString() + " " + FibResult.toString(target);
    }
}
