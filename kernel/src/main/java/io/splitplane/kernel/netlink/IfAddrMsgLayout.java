package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct ifaddrmsg}, the family header of RTM_*ADDR messages.
 *
 * <pre>
 *  0        1           2         3         4                  8
 *  +--------+-----------+---------+---------+------------------+
 *  | family | prefixlen | flags u8| scope u8| ifa_index (u32)  |
 *  +--------+-----------+---------+---------+------------------+
 *  The u8 flags are superseded by the u32 IFA_FLAGS attribute when present.
 * </pre>
 */
final class IfAddrMsgLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ifa_family"),
            JAVA_BYTE.withName("ifa_prefixlen"),
            JAVA_BYTE.withName("ifa_flags"),
            JAVA_BYTE.withName("ifa_scope"),
            JAVA_INT.withName("ifa_index"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int FAMILY = Wire.offset(LAYOUT, "ifa_family");
    static final int PREFIX_LENGTH = Wire.offset(LAYOUT, "ifa_prefixlen");
    static final int FLAGS = Wire.offset(LAYOUT, "ifa_flags");
    static final int SCOPE = Wire.offset(LAYOUT, "ifa_scope");
    static final int INDEX = Wire.offset(LAYOUT, "ifa_index");

    private IfAddrMsgLayout() {
    }
}
