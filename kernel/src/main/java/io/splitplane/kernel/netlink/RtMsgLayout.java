package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct rtmsg}, the family header of RTM_*ROUTE messages.
 *
 * <pre>
 *  0        1         2         3      4        5          6       7       8                 12
 *  +--------+---------+---------+------+--------+----------+-------+-------+-----------------+
 *  | family | dst_len | src_len | tos  | table  | protocol | scope | type  | rtm_flags (u32) |
 *  +--------+---------+---------+------+--------+----------+-------+-------+-----------------+
 *  rtm_table is 8 bits: the u32 RTA_TABLE attribute is authoritative.
 * </pre>
 */
final class RtMsgLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("rtm_family"),
            JAVA_BYTE.withName("rtm_dst_len"),
            JAVA_BYTE.withName("rtm_src_len"),
            JAVA_BYTE.withName("rtm_tos"),
            JAVA_BYTE.withName("rtm_table"),
            JAVA_BYTE.withName("rtm_protocol"),
            JAVA_BYTE.withName("rtm_scope"),
            JAVA_BYTE.withName("rtm_type"),
            JAVA_INT.withName("rtm_flags"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int FAMILY = Wire.offset(LAYOUT, "rtm_family");
    static final int DST_LENGTH = Wire.offset(LAYOUT, "rtm_dst_len");
    static final int SRC_LENGTH = Wire.offset(LAYOUT, "rtm_src_len");
    static final int TOS = Wire.offset(LAYOUT, "rtm_tos");
    static final int TABLE = Wire.offset(LAYOUT, "rtm_table");
    static final int PROTOCOL = Wire.offset(LAYOUT, "rtm_protocol");
    static final int SCOPE = Wire.offset(LAYOUT, "rtm_scope");
    static final int TYPE = Wire.offset(LAYOUT, "rtm_type");
    static final int FLAGS = Wire.offset(LAYOUT, "rtm_flags");

    private RtMsgLayout() {
    }
}
