package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct rtnexthop}: one path inside an RTA_MULTIPATH attribute.
 *
 * <pre>
 *  0              2            3           4                    8
 *  +--------------+------------+-----------+--------------------+------------------------+
 *  | rtnh_len u16 | flags u8   | hops u8   | rtnh_ifindex (s32) | nested RTA_GATEWAY ... |
 *  +--------------+------------+-----------+--------------------+------------------------+
 *  rtnh_len counts this header and its nested attributes; weight = hops + 1.
 * </pre>
 */
final class RtNexthopLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("rtnh_len"),
            JAVA_BYTE.withName("rtnh_flags"),
            JAVA_BYTE.withName("rtnh_hops"),
            JAVA_INT.withName("rtnh_ifindex"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int LENGTH = Wire.offset(LAYOUT, "rtnh_len");
    static final int FLAGS = Wire.offset(LAYOUT, "rtnh_flags");
    static final int HOPS = Wire.offset(LAYOUT, "rtnh_hops");
    static final int IFINDEX = Wire.offset(LAYOUT, "rtnh_ifindex");

    private RtNexthopLayout() {
    }
}
