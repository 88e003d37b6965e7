package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct nlmsghdr} ({@code linux/netlink.h}), the header of every netlink message.
 *
 * <pre>
 *  0                   4         6         8                   12                  16
 *  +-------------------+---------+---------+-------------------+-------------------+
 *  | nlmsg_len (u32)   | type u16| flags u16| nlmsg_seq (u32)  | nlmsg_pid (u32)   |
 *  +-------------------+---------+---------+-------------------+-------------------+
 *  nlmsg_len counts the header; the next message starts at align(nlmsg_len).
 * </pre>
 */
final class NlMsgHdrLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nlmsg_len"),
            JAVA_SHORT.withName("nlmsg_type"),
            JAVA_SHORT.withName("nlmsg_flags"),
            JAVA_INT.withName("nlmsg_seq"),
            JAVA_INT.withName("nlmsg_pid"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int LENGTH = Wire.offset(LAYOUT, "nlmsg_len");
    static final int TYPE = Wire.offset(LAYOUT, "nlmsg_type");
    static final int FLAGS = Wire.offset(LAYOUT, "nlmsg_flags");
    static final int SEQ = Wire.offset(LAYOUT, "nlmsg_seq");
    static final int PID = Wire.offset(LAYOUT, "nlmsg_pid");

    /** {@code NLMSG_ALIGNTO}: messages and attributes start on 4-byte boundaries. */
    static final int ALIGNMENT = 4;

    private NlMsgHdrLayout() {
    }

    /** {@code NLMSG_ALIGN} (equal to {@code RTA_ALIGN}). */
    static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
