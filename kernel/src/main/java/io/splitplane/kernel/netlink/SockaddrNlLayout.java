package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sockaddr_nl}, the netlink socket address.
 *
 * <pre>
 *  0            2          4               8                12
 *  +------------+----------+---------------+----------------+
 *  | nl_family  | nl_pad   | nl_pid (u32)  | nl_groups (u32)|
 *  +------------+----------+---------------+----------------+
 *  nl_pid 0 on bind: the kernel assigns the port id. nl_groups is the legacy 32-group bitmask.
 * </pre>
 */
final class SockaddrNlLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nl_family"),
            JAVA_SHORT.withName("nl_pad"),
            JAVA_INT.withName("nl_pid"),
            JAVA_INT.withName("nl_groups"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int FAMILY = Wire.offset(LAYOUT, "nl_family");
    static final int PID = Wire.offset(LAYOUT, "nl_pid");
    static final int GROUPS = Wire.offset(LAYOUT, "nl_groups");

    private SockaddrNlLayout() {
    }
}
