package io.splitplane.kernel.netlink;

import java.lang.foreign.MemorySegment;

/**
 * A cursor over the messages in one received datagram. It allocates nothing per message: wrap a
 * datagram, then call {@link #next()} until it returns false. A message whose length field is
 * impossible (shorter than a header, or running past the datagram) ends the iteration, because
 * nothing after it can be located.
 */
final class NetlinkMessage {
    private MemorySegment segment = MemorySegment.NULL;
    private int end;
    private int offset;
    private int nextOffset;

    /** Positions the cursor before the first message of {@code datagram}. */
    NetlinkMessage wrap(MemorySegment datagram) {
        this.segment = datagram;
        this.end = (int) datagram.byteSize();
        this.offset = -1;
        this.nextOffset = 0;
        return this;
    }

    /** Moves to the next message; false at the end of the datagram. */
    boolean next() {
        if (nextOffset + NlMsgHdrLayout.SIZE > end) {
            return false;
        }
        int length = Wire.i32(segment, nextOffset + NlMsgHdrLayout.LENGTH);
        if (length < NlMsgHdrLayout.SIZE || length > end - nextOffset) {
            nextOffset = end;
            return false;
        }
        offset = nextOffset;
        nextOffset = offset + Math.min(NlMsgHdrLayout.align(length), end - offset);
        return true;
    }

    MemorySegment segment() {
        return segment;
    }

    /** Offset of the message header in {@link #segment()}. */
    int offset() {
        return offset;
    }

    int length() {
        return Wire.i32(segment, offset + NlMsgHdrLayout.LENGTH);
    }

    int type() {
        return Wire.u16(segment, offset + NlMsgHdrLayout.TYPE);
    }

    int flags() {
        return Wire.u16(segment, offset + NlMsgHdrLayout.FLAGS);
    }

    int seq() {
        return Wire.i32(segment, offset + NlMsgHdrLayout.SEQ);
    }

    /** Offset of the payload (the family header) in {@link #segment()}. */
    int payload() {
        return offset + NlMsgHdrLayout.SIZE;
    }

    /** Offset just past this message. */
    int end() {
        return offset + length();
    }

    /** Whether the payload holds at least {@code size} bytes (a family header of that size). */
    boolean hasPayload(int size) {
        return length() - NlMsgHdrLayout.SIZE >= size;
    }

    /** The attributes that follow a family header of {@code headerSize} bytes. */
    Attributes attributes(int headerSize, int maxType) {
        return Attributes.parse(segment, payload() + NlMsgHdrLayout.align(headerSize), end(), maxType);
    }
}
