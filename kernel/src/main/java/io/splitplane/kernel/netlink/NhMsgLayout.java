package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct nhmsg} ({@code linux/nexthop.h}), the family header of RTM_*NEXTHOP messages.
 *
 * <pre>
 *  0           1          2             3        4                  8
 *  +-----------+----------+-------------+--------+------------------+
 *  | nh_family | nh_scope | nh_protocol | resvd  | nh_flags (u32)   |
 *  +-----------+----------+-------------+--------+------------------+
 *  nh_scope is reply-only; nh_flags are RTNH_F_*.
 * </pre>
 */
final class NhMsgLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("nh_family"),
            JAVA_BYTE.withName("nh_scope"),
            JAVA_BYTE.withName("nh_protocol"),
            JAVA_BYTE.withName("resvd"),
            JAVA_INT.withName("nh_flags"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int FAMILY = Wire.offset(LAYOUT, "nh_family");
    static final int SCOPE = Wire.offset(LAYOUT, "nh_scope");
    static final int PROTOCOL = Wire.offset(LAYOUT, "nh_protocol");
    static final int FLAGS = Wire.offset(LAYOUT, "nh_flags");

    private NhMsgLayout() {
    }
}
