package io.splitplane.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sp_attach_state} (classifier.h): the value of {@code classifier_state[0]}, where the
 * program is attached, so that a process reopening the pins can detach it.
 *
 * <pre>
 *  0           4             8                   16
 * +-----------+-------------+-------------------+
 * | ifindex   | xdp_flags   | u64 netns_inode   |
 * +-----------+-------------+-------------------+
 * </pre>
 */
final class AttachStateLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("xdp_flags"),
            JAVA_LONG.withName("netns_inode")).withName("sp_attach_state");

    static final long SIZE = LAYOUT.byteSize();
    static final long IFINDEX = offset("ifindex");
    static final long XDP_FLAGS = offset("xdp_flags");
    static final long NETNS_INODE = offset("netns_inode");

    /** linux/if_link.h. */
    static final int XDP_FLAGS_SKB_MODE = 2;
    static final int XDP_FLAGS_DRV_MODE = 4;

    private AttachStateLayout() {
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
