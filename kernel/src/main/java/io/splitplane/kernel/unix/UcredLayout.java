package io.splitplane.kernel.unix;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct ucred}, what {@code SO_PEERCRED} reports about the process at the other end.
 *
 * <pre>
 *  0        4        8        12
 *  +--------+--------+--------+
 *  |  pid   |  uid   |  gid   |
 *  +--------+--------+--------+
 * </pre>
 */
final class UcredLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"), JAVA_INT.withName("uid"), JAVA_INT.withName("gid"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int PID = offset("pid");
    static final int UID = offset("uid");
    static final int GID = offset("gid");

    private UcredLayout() {
    }

    private static int offset(String field) {
        return (int) LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
