package io.splitplane.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sp_rule_name} (classifier.h): the value of {@code rule_names[slot]}, the name of the
 * rule that owns counter slot {@code slot} as a NUL-terminated string; empty if the slot is free.
 *
 * <pre>
 *  0                                                           64
 * +-------------------------------------------------------------+
 * | char name[64]  (at most 63 bytes and a NUL)                 |
 * +-------------------------------------------------------------+
 * </pre>
 */
final class RuleNameLayout {
    /** SP_RULE_NAME_LEN. */
    static final int NAME_LENGTH = 64;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(NAME_LENGTH, JAVA_BYTE).withName("name")).withName("sp_rule_name");

    static final long SIZE = LAYOUT.byteSize();
    static final long NAME = LAYOUT.byteOffset(groupElement("name"));

    private RuleNameLayout() {
    }
}
