package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct nlattr} / {@code struct rtattr}: the TLV header of every attribute.
 *
 * <pre>
 *  0          2          4
 *  +----------+----------+---------------------------+---------+
 *  | len (u16)| type(u16)| payload (len - 4 bytes)   | pad to 4|
 *  +----------+----------+---------------------------+---------+
 *  len counts header + payload, not the padding. The top two type bits are flags.
 * </pre>
 */
final class NlAttrLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nla_len"),
            JAVA_SHORT.withName("nla_type"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int LENGTH = Wire.offset(LAYOUT, "nla_len");
    static final int TYPE = Wire.offset(LAYOUT, "nla_type");

    /** {@code NLA_F_NESTED}. */
    static final int F_NESTED = 0x8000;
    /** {@code NLA_F_NET_BYTEORDER}. */
    static final int F_NET_BYTEORDER = 0x4000;
    /** {@code NLA_TYPE_MASK}: the type without the two flag bits. */
    static final int TYPE_MASK = ~(F_NESTED | F_NET_BYTEORDER) & 0xffff;

    private NlAttrLayout() {
    }
}
