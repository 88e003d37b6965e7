package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct nexthop_grp}: one member of an NHA_GROUP array.
 *
 * <pre>
 *  0                4           5              6              8
 *  +----------------+-----------+--------------+--------------+
 *  | id (u32)       | weight u8 | weight_high  | resvd2 u16   |
 *  +----------------+-----------+--------------+--------------+
 *  weight = ((weight_high << 8) | weight) + 1. weight_high was a reserved, must-be-zero byte
 *  before Linux 6.12, so it is only written for weights above 256.
 * </pre>
 */
final class NexthopGrpLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("id"),
            JAVA_BYTE.withName("weight"),
            JAVA_BYTE.withName("weight_high"),
            JAVA_SHORT.withName("resvd2"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int ID = Wire.offset(LAYOUT, "id");
    static final int WEIGHT = Wire.offset(LAYOUT, "weight");
    static final int WEIGHT_HIGH = Wire.offset(LAYOUT, "weight_high");

    private NexthopGrpLayout() {
    }
}
