package io.splitplane.kernel.unix;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct cmsghdr}, the header of one ancillary-data item, followed by its data at
 * {@link #DATA} ({@code CMSG_DATA}). Items are aligned to 8 bytes ({@code CMSG_ALIGN}).
 *
 * <pre>
 *  0              8              12            16
 *  +--------------+--------------+-------------+------------------------+
 *  | cmsg_len     | cmsg_level   | cmsg_type   | data (cmsg_len - 16)   |
 *  | (size_t)     |   (int)      |   (int)     |                        |
 *  +--------------+--------------+-------------+------------------------+
 *  SCM_RIGHTS with one fd: cmsg_len = CMSG_LEN(4) = 20, space = CMSG_SPACE(4) = 24.
 * </pre>
 */
final class CmsgHdrLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int LENGTH = offset("cmsg_len");
    static final int LEVEL = offset("cmsg_level");
    static final int TYPE = offset("cmsg_type");
    /** {@code CMSG_DATA}: the header is already 8-aligned. */
    static final int DATA = SIZE;

    private CmsgHdrLayout() {
    }

    /** {@code CMSG_LEN(n)}. */
    static int length(int dataBytes) {
        return DATA + dataBytes;
    }

    /** {@code CMSG_SPACE(n)}. */
    static int space(int dataBytes) {
        return DATA + ((dataBytes + 7) & ~7);
    }

    private static int offset(String field) {
        return (int) LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
