package io.splitplane.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sp_prefix_table} (classifier.h): an inline prefix table, binary-searched by the
 * program. {@code start[i]} are ascending interval starts in host order (IPv4: the address; IPv6:
 * its upper 64 bits), {@code start[0] = 0}, unused entries {@code ~0}; {@code rules[i]} is the mask of
 * rules matching the addresses from {@code start[i]} on, unused entries repeat the last used one.
 * {@code top_step}, the largest power of two below the number of used entries, is where the
 * program's binary search starts, so a small table costs few steps.
 *
 * <pre>
 *  0                          1024                        2048       2052   2056
 * +--------------------------+---------------------------+----------+------+
 * | u64 start[128]           | u64 rules[128]            | top_step | pad  |
 * +--------------------------+---------------------------+----------+------+
 * </pre>
 */
final class PrefixTableLayout {
    /** SP_PREFIX_BOUNDS. */
    static final int BOUNDS = 128;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(BOUNDS, JAVA_LONG).withName("start"),
            MemoryLayout.sequenceLayout(BOUNDS, JAVA_LONG).withName("rules"),
            JAVA_INT.withName("top_step"),
            JAVA_INT.withName("pad")).withName("sp_prefix_table");

    static final long SIZE = LAYOUT.byteSize();
    static final long START = LAYOUT.byteOffset(groupElement("start"));
    static final long RULES = LAYOUT.byteOffset(groupElement("rules"));
    static final long TOP_STEP = LAYOUT.byteOffset(groupElement("top_step"));

    private PrefixTableLayout() {
    }
}
