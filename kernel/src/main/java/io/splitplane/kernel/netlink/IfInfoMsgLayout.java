package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct ifinfomsg}, the family header of RTM_*LINK messages (and of the veth peer).
 *
 * <pre>
 *  0        1      2           4                 8                 12                16
 *  +--------+------+-----------+-----------------+-----------------+-----------------+
 *  | family | pad  | type u16  | ifi_index (s32) | ifi_flags (u32) | ifi_change (u32)|
 *  +--------+------+-----------+-----------------+-----------------+-----------------+
 *  type is ARPHRD_*; ifi_change masks which ifi_flags bits a SETLINK changes.
 * </pre>
 */
final class IfInfoMsgLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ifi_family"),
            JAVA_BYTE.withName("__ifi_pad"),
            JAVA_SHORT.withName("ifi_type"),
            JAVA_INT.withName("ifi_index"),
            JAVA_INT.withName("ifi_flags"),
            JAVA_INT.withName("ifi_change"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int FAMILY = Wire.offset(LAYOUT, "ifi_family");
    static final int TYPE = Wire.offset(LAYOUT, "ifi_type");
    static final int INDEX = Wire.offset(LAYOUT, "ifi_index");
    static final int FLAGS = Wire.offset(LAYOUT, "ifi_flags");
    static final int CHANGE = Wire.offset(LAYOUT, "ifi_change");

    private IfInfoMsgLayout() {
    }
}
