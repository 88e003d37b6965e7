package io.splitplane.kernel.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * Encodes one netlink request into a caller-owned segment: the header, a zeroed family header
 * ({@link #reserve}), then attributes, nested as needed. Every block starts 4-aligned, as the kernel
 * requires, and {@link #finish} fills in the length and sequence number last, so a request can be
 * sent again with a new sequence number (dump restarts) without being rebuilt.
 *
 * <p>Not thread-safe; the owning socket serialises requests.
 */
final class MessageWriter {
    private final MemorySegment buffer;
    private int position;

    MessageWriter(MemorySegment buffer) {
        this.buffer = buffer;
    }

    /** Starts a message of {@code type}; {@code NLM_F_REQUEST} is always added to {@code flags}. */
    MessageWriter begin(int type, int flags) {
        position = 0;
        int header = reserve(NlMsgHdrLayout.SIZE);
        Wire.putU16(buffer, header + NlMsgHdrLayout.TYPE, type);
        Wire.putU16(buffer, header + NlMsgHdrLayout.FLAGS, flags | Netlink.NLM_F_REQUEST);
        return this;
    }

    int type() {
        return Wire.u16(buffer, NlMsgHdrLayout.TYPE);
    }

    int flags() {
        return Wire.u16(buffer, NlMsgHdrLayout.FLAGS);
    }

    /** Adds {@code flags} to the header (e.g. {@code NLM_F_ACK}). */
    void addFlags(int flags) {
        Wire.putU16(buffer, NlMsgHdrLayout.FLAGS, flags() | flags);
    }

    /** Reserves a zeroed block of {@code size} bytes (a family header) and returns its offset. */
    int reserve(int size) {
        int aligned = NlMsgHdrLayout.align(size);
        ensureRoom(aligned);
        int at = position;
        buffer.asSlice(at, aligned).fill((byte) 0);
        position += aligned;
        return at;
    }

    void putU8(int offset, int value) {
        Wire.putU8(buffer, offset, value);
    }

    void putU16(int offset, int value) {
        Wire.putU16(buffer, offset, value);
    }

    void putI32(int offset, int value) {
        Wire.putI32(buffer, offset, value);
    }

    MessageWriter attributeU8(int type, int value) {
        int payload = attributeHeader(type, 1);
        Wire.putU8(buffer, payload, value);
        return this;
    }

    MessageWriter attributeU16(int type, int value) {
        int payload = attributeHeader(type, 2);
        Wire.putU16(buffer, payload, value);
        return this;
    }

    MessageWriter attributeU32(int type, int value) {
        int payload = attributeHeader(type, 4);
        Wire.putI32(buffer, payload, value);
        return this;
    }

    MessageWriter attributeU64(int type, long value) {
        int payload = attributeHeader(type, 8);
        Wire.putI64(buffer, payload, value);
        return this;
    }

    /** A flag attribute: present means true, no payload. */
    MessageWriter attributeFlag(int type) {
        attributeHeader(type, 0);
        return this;
    }

    /** A NUL-terminated string, as the kernel's {@code NLA_STRING}/{@code NLA_NUL_STRING} policies expect. */
    MessageWriter attributeString(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int payload = attributeHeader(type, bytes.length + 1);
        MemorySegment.copy(bytes, 0, buffer, JAVA_BYTE, payload, bytes.length);
        Wire.putU8(buffer, payload + bytes.length, 0);
        return this;
    }

    MessageWriter attributeBytes(int type, byte[] value) {
        int payload = attributeHeader(type, value.length);
        MemorySegment.copy(value, 0, buffer, JAVA_BYTE, payload, value.length);
        return this;
    }

    /** An IP address in network byte order (4 or 16 bytes). */
    MessageWriter attributeAddress(int type, InetAddress address) {
        return attributeBytes(type, address.getAddress());
    }

    /** Opens a nested attribute; close it with {@link #endNested} and the returned offset. */
    int beginNested(int type) {
        return attributeHeader(type, 0) - NlAttrLayout.SIZE;
    }

    /** Closes the nested attribute opened at {@code start}: its length now covers everything written since. */
    void endNested(int start) {
        Wire.putU16(buffer, start + NlAttrLayout.LENGTH, position - start);
    }

    /**
     * Writes an attribute header for a payload of {@code payloadLength} bytes, advances past the
     * aligned payload (zeroing the padding) and returns the payload offset.
     */
    private int attributeHeader(int type, int payloadLength) {
        int length = NlAttrLayout.SIZE + payloadLength;
        int aligned = NlMsgHdrLayout.align(length);
        ensureRoom(aligned);
        int at = position;
        buffer.asSlice(at, aligned).fill((byte) 0);
        Wire.putU16(buffer, at + NlAttrLayout.LENGTH, length);
        Wire.putU16(buffer, at + NlAttrLayout.TYPE, type);
        position += aligned;
        return at + NlAttrLayout.SIZE;
    }

    /** Current end of the message (offsets of blocks written so far are below it). */
    int position() {
        return position;
    }

    /** Sets length and sequence number and returns the message, ready to send. */
    MemorySegment finish(int seq) {
        Wire.putI32(buffer, NlMsgHdrLayout.LENGTH, position);
        Wire.putI32(buffer, NlMsgHdrLayout.SEQ, seq);
        return buffer.asSlice(0, position);
    }

    private void ensureRoom(int bytes) {
        if (position + bytes > buffer.byteSize()) {
            throw new IllegalArgumentException("netlink request too large: needs=" + (position + bytes)
                    + " bytes, capacity=" + buffer.byteSize());
        }
    }
}
