package io.splitplane.kernel.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct msghdr} for {@code sendmsg}/{@code recvmsg} (x86_64).
 *
 * <pre>
 *  0          8             12     16         24             32            40                48          52   56
 *  +----------+-------------+------+----------+--------------+-------------+-----------------+-----------+----+
 *  | msg_name | msg_namelen | pad  | msg_iov  | msg_iovlen   | msg_control | msg_controllen  | msg_flags | pad|
 *  |  (ptr)   |   (u32)     |      |  (ptr)   |  (size_t)    |   (ptr)     |   (size_t)      |  (int)    |    |
 *  +----------+-------------+------+----------+--------------+-------------+-----------------+-----------+----+
 * </pre>
 */
final class MsgHdrLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int NAME = offset("msg_name");
    static final int NAME_LENGTH = offset("msg_namelen");
    static final int IOV = offset("msg_iov");
    static final int IOV_LENGTH = offset("msg_iovlen");
    static final int CONTROL = offset("msg_control");
    static final int CONTROL_LENGTH = offset("msg_controllen");
    static final int FLAGS = offset("msg_flags");

    private MsgHdrLayout() {
    }

    private static int offset(String field) {
        return (int) LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
