package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct ndmsg}, the family header of RTM_*NEIGH messages.
 *
 * <pre>
 *  0        1      2          4                 8           10         11        12
 *  +--------+------+----------+-----------------+-----------+----------+---------+
 *  | family | pad1 | pad2 u16 | ifindex (s32)   | state u16 | flags u8 | type u8 |
 *  +--------+------+----------+-----------------+-----------+----------+---------+
 *  state is a NUD_* bit set; flags are NTF_*.
 * </pre>
 */
final class NdMsgLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ndm_family"),
            JAVA_BYTE.withName("ndm_pad1"),
            JAVA_SHORT.withName("ndm_pad2"),
            JAVA_INT.withName("ndm_ifindex"),
            JAVA_SHORT.withName("ndm_state"),
            JAVA_BYTE.withName("ndm_flags"),
            JAVA_BYTE.withName("ndm_type"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int FAMILY = Wire.offset(LAYOUT, "ndm_family");
    static final int IFINDEX = Wire.offset(LAYOUT, "ndm_ifindex");
    static final int STATE = Wire.offset(LAYOUT, "ndm_state");
    static final int FLAGS = Wire.offset(LAYOUT, "ndm_flags");
    static final int TYPE = Wire.offset(LAYOUT, "ndm_type");

    private NdMsgLayout() {
    }
}
