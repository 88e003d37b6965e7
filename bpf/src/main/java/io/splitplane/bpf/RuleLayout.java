package io.splitplane.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sp_rule} (classifier.h): what a matching rule does. Which packets match is in the
 * rule set's bit-vector tables ({@link RuleSetLayout}), not here.
 *
 * <pre>
 *  0              4        5          8
 * +--------------+--------+----------+
 * | u32 counter  | action | pad[3]   |
 * +--------------+--------+----------+
 * </pre>
 */
final class RuleLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("counter"),
            JAVA_BYTE.withName("action"),
            MemoryLayout.paddingLayout(3)).withName("sp_rule");

    static final long SIZE = LAYOUT.byteSize();
    static final long COUNTER = LAYOUT.byteOffset(groupElement("counter"));
    static final long ACTION = LAYOUT.byteOffset(groupElement("action"));

    /** enum sp_action. */
    static final int ACTION_PASS = 0;
    static final int ACTION_DROP = 1;
    static final int ACTION_REDIRECT = 2;

    private RuleLayout() {
    }
}
