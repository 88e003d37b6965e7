package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/** Hand-built kernel replies for tests that drive the protocol code without a kernel. */
final class Crafted {
    private Crafted() {
    }

    /** One message with exactly {@code flags} (no implied NLM_F_REQUEST), built by {@code body}. */
    static byte[] message(int type, int flags, int seq, Consumer<MessageWriter> body) {
        MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);
        MessageWriter w = new MessageWriter(buffer);
        w.begin(type, 0);
        body.accept(w);
        MemorySegment message = w.finish(seq);
        Wire.putU16(buffer, NlMsgHdrLayout.FLAGS, flags);
        return message.toArray(JAVA_BYTE);
    }

    /** An RTM_NEWLINK dump entry for a link called {@code name}. */
    static byte[] link(int seq, int flags, int ifindex, String name) {
        return message(Rtm.NEWLINK, flags | Netlink.NLM_F_MULTI, seq, w -> {
            int h = w.reserve(IfInfoMsgLayout.SIZE);
            w.putI32(h + IfInfoMsgLayout.INDEX, ifindex);
            w.attributeString(Ifla.IFNAME, name);
        });
    }

    /** NLMSG_DONE with {@code status} and, if given, an ext-ack message. */
    static byte[] done(int seq, int flags, int status, String extAck) {
        int allFlags = flags | Netlink.NLM_F_MULTI | (extAck != null ? Netlink.NLM_F_ACK_TLVS : 0);
        return message(Netlink.NLMSG_DONE, allFlags, seq, w -> {
            int h = w.reserve(4);
            w.putI32(h, status);
            if (extAck != null) {
                w.attributeString(Netlink.NLMSGERR_ATTR_MSG, extAck);
            }
        });
    }

    /**
     * NLMSG_ERROR with {@code error} (0 = ACK). {@code echoedPayload} bytes of request payload are
     * echoed after the header unless {@code capped}; {@code extAck} adds the TLV.
     */
    static byte[] error(int seq, int error, boolean capped, int echoedPayload, String extAck) {
        int flags = (capped ? Netlink.NLM_F_CAPPED : 0) | (extAck != null ? Netlink.NLM_F_ACK_TLVS : 0);
        return message(Netlink.NLMSG_ERROR, flags, seq, w -> {
            int h = w.reserve(NlMsgErrLayout.SIZE);
            w.putI32(h + NlMsgErrLayout.ERROR, error);
            int echoedLength = NlMsgHdrLayout.SIZE + (capped ? 0 : echoedPayload);
            w.putI32(h + NlMsgErrLayout.MSG + NlMsgHdrLayout.LENGTH, echoedLength);
            w.putI32(h + NlMsgErrLayout.MSG + NlMsgHdrLayout.SEQ, seq);
            if (!capped) {
                w.reserve(echoedPayload);
            }
            if (extAck != null) {
                w.attributeString(Netlink.NLMSGERR_ATTR_MSG, extAck);
                w.attributeU32(Netlink.NLMSGERR_ATTR_OFFS, 20);
            }
        });
    }

    /** Messages packed back to back into one datagram. */
    static MemorySegment datagram(byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            out.writeBytes(m);
        }
        return MemorySegment.ofArray(out.toByteArray());
    }
}
