package io.splitplane.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sp_counter} (classifier.h): one CPU's slot of a per-CPU counter in
 * {@code verdict_stats} and {@code rule_stats}.
 *
 * <pre>
 *  0                 8                16
 * +-----------------+-----------------+
 * | u64 packets     | u64 bytes       |
 * +-----------------+-----------------+
 * </pre>
 */
final class CounterLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("packets"),
            JAVA_LONG.withName("bytes")).withName("sp_counter");

    static final long SIZE = LAYOUT.byteSize();
    static final long PACKETS = LAYOUT.byteOffset(groupElement("packets"));
    static final long BYTES = LAYOUT.byteOffset(groupElement("bytes"));

    private CounterLayout() {
    }
}
