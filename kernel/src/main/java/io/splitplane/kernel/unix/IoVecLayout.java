package io.splitplane.kernel.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct iovec}: one buffer of a scatter/gather list.
 *
 * <pre>
 *  0           8           16
 *  +-----------+-----------+
 *  | iov_base  | iov_len   |
 *  |  (ptr)    | (size_t)  |
 *  +-----------+-----------+
 * </pre>
 */
final class IoVecLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int BASE = (int) LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("iov_base"));
    static final int LENGTH = (int) LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("iov_len"));

    private IoVecLayout() {
    }
}
