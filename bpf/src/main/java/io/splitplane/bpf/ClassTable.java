package io.splitplane.bpf;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A field's rule masks by value, compressed: {@code classOf[value]} names the interval of values that
 * the same rules accept, {@code rules[class]} is that interval's mask (bit i: rule i). With at most
 * 64 rules, each adding at most two interval boundaries, there are at most 129 classes.
 *
 * @param classOf the class of each value of the field's domain
 * @param rules   the mask of each class
 */
record ClassTable(byte[] classOf, long[] rules) {
    /** One rule's constraint: values {@code from..to} (inclusive) satisfy rule {@code rule}. */
    record Range(int from, int to, int rule) {
    }

    /**
     * The table for a field whose values are {@code 0..domain-1}: a value's mask holds the rules of
     * the ranges containing it and every rule in {@code unconstrained}.
     */
    static ClassTable build(int domain, List<Range> ranges, long unconstrained) {
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (Range r : ranges) {
            starts.add(r.from());
            if (r.to() + 1 < domain) {
                starts.add(r.to() + 1);
            }
        }
        if (starts.size() > RuleSetLayout.CLASSES) {
            throw new IllegalStateException(starts.size() + " classes; at most " + RuleSetLayout.CLASSES + " fit");
        }
        List<Integer> bounds = new ArrayList<>(starts);
        long[] masks = new long[bounds.size()];
        byte[] classOf = new byte[domain];
        for (int c = 0; c < bounds.size(); c++) {
            int from = bounds.get(c);
            int to = c + 1 < bounds.size() ? bounds.get(c + 1) - 1 : domain - 1;
            long mask = unconstrained;
            for (Range r : ranges) {
                if (r.from() <= from && from <= r.to()) {
                    mask |= 1L << r.rule();
                }
            }
            masks[c] = mask;
            for (int v = from; v <= to; v++) {
                classOf[v] = (byte) c;
            }
        }
        return new ClassTable(classOf, masks);
    }

    /**
     * The rules every value satisfies ({@code any_dport}, {@code any_sport}): the field never rules
     * them out, so a packet whose candidates are all among them need not read the field's tables.
     */
    long unconstrained() {
        long all = -1L;
        for (long mask : rules) {
            all &= mask;
        }
        return all;
    }

    /** The mask for {@code value}. */
    long rulesOf(int value) {
        return rules[Byte.toUnsignedInt(classOf[value])];
    }
}
