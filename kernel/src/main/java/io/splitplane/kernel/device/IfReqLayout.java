package io.splitplane.kernel.device;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct ifreq} (linux/if.h) as {@code TUNSETIFF} reads it: the interface name and the
 * {@code ifr_flags} member of the union.
 *
 * <pre>
 *  0                                16              18                              40
 * +--------------------------------+---------------+-------------------------------+
 * | char ifr_name[IFNAMSIZ = 16]   | short flags   | rest of the union (pad)       |
 * +--------------------------------+---------------+-------------------------------+
 * </pre>
 */
final class IfReqLayout {
    static final int IFNAMSIZ = 16;
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(IFNAMSIZ, JAVA_BYTE).withName("ifr_name"),
            JAVA_SHORT.withName("ifr_flags"),
            MemoryLayout.paddingLayout(22)).withName("ifreq");

    static final long SIZE = LAYOUT.byteSize();
    static final long NAME = 0;
    static final long FLAGS = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("ifr_flags"));

    private IfReqLayout() {
    }
}
