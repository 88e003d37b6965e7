package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct nlmsgerr}, the payload of {@code NLMSG_ERROR} (an ACK when {@code error == 0}).
 *
 * <pre>
 *  0              4                                   20
 *  +--------------+-----------------------------------+-------------------------+-----------------+
 *  | error (s32)  | msg: echoed request nlmsghdr (16) | request payload         | ext-ack TLVs    |
 *  | 0 or -errno  |                                   | (absent if NLM_F_CAPPED)| (if ACK_TLVS)   |
 *  +--------------+-----------------------------------+-------------------------+-----------------+
 * </pre>
 * {@code NLMSG_DONE} carries only the s32 status, optionally followed by ext-ack TLVs.
 */
final class NlMsgErrLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("error"),
            NlMsgHdrLayout.LAYOUT.withName("msg"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int ERROR = Wire.offset(LAYOUT, "error");
    static final int MSG = Wire.offset(LAYOUT, "msg");

    private NlMsgErrLayout() {
    }
}
