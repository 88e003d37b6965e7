package io.splitplane.kernel.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An index over a run of attributes: one pass records where each type's payload is, then typed
 * getters read them. Types above {@code maxType} (newer kernels) are skipped; for repeated types
 * the last one wins ({@link #forEach} visits all of them). A malformed length ends the run, so a
 * truncated message yields the attributes before the damage rather than an exception.
 */
final class Attributes {
    private final MemorySegment segment;
    /** Payload offset per type, -1 if absent. */
    private final int[] offsets;
    private final int[] lengths;

    private Attributes(MemorySegment segment, int maxType) {
        this.segment = segment;
        this.offsets = new int[maxType + 1];
        this.lengths = new int[maxType + 1];
        Arrays.fill(offsets, -1);
    }

    /** Indexes the attributes in {@code [start, end)} of {@code segment}. */
    static Attributes parse(MemorySegment segment, int start, int end, int maxType) {
        Attributes attributes = new Attributes(segment, maxType);
        forEach(segment, start, end, (type, payload, length) -> {
            if (type <= maxType) {
                attributes.offsets[type] = payload;
                attributes.lengths[type] = length;
            }
        });
        return attributes;
    }

    /** Receives one attribute: its type (flag bits removed), payload offset and payload length. */
    @FunctionalInterface
    interface Visitor {
        void visit(int type, int payload, int length);
    }

    /** Visits every attribute in {@code [start, end)}, in order. */
    static void forEach(MemorySegment segment, int start, int end, Visitor visitor) {
        int at = start;
        while (at + NlAttrLayout.SIZE <= end) {
            int length = Wire.u16(segment, at + NlAttrLayout.LENGTH);
            if (length < NlAttrLayout.SIZE || length > end - at) {
                return;
            }
            int type = Wire.u16(segment, at + NlAttrLayout.TYPE) & NlAttrLayout.TYPE_MASK;
            visitor.visit(type, at + NlAttrLayout.SIZE, length - NlAttrLayout.SIZE);
            at += NlMsgHdrLayout.align(length);
        }
    }

    boolean has(int type) {
        return type < offsets.length && offsets[type] >= 0;
    }

    /** Payload offset of {@code type}; only valid if {@link #has}. */
    int offset(int type) {
        return offsets[type];
    }

    /** Payload length of {@code type}; 0 if absent. */
    int length(int type) {
        return has(type) ? lengths[type] : 0;
    }

    MemorySegment segment() {
        return segment;
    }

    int u8(int type, int absent) {
        return length(type) >= 1 ? Wire.u8(segment, offsets[type]) : absent;
    }

    int u16(int type, int absent) {
        return length(type) >= 2 ? Wire.u16(segment, offsets[type]) : absent;
    }

    /** A u32 (or s32) value, {@code absent} if missing or short. */
    int u32(int type, int absent) {
        return length(type) >= 4 ? Wire.i32(segment, offsets[type]) : absent;
    }

    /**
     * A variable-width unsigned value ({@code NLA_UINT}: the kernel sends 4 bytes when the value
     * fits, 8 otherwise), {@code absent} if missing.
     */
    long uint(int type, long absent) {
        int length = length(type);
        if (length >= 8) {
            return Wire.i64(segment, offsets[type]);
        }
        return length >= 4 ? Integer.toUnsignedLong(Wire.i32(segment, offsets[type])) : absent;
    }

    OptionalInt optionalU32(int type) {
        return length(type) >= 4 ? OptionalInt.of(Wire.i32(segment, offsets[type])) : OptionalInt.empty();
    }

    /** A string up to its NUL (the kernel NUL-terminates names, but not every string attribute). */
    Optional<String> string(int type) {
        if (!has(type)) {
            return Optional.empty();
        }
        return Optional.of(string(segment, offsets[type], lengths[type]));
    }

    static String string(MemorySegment segment, int offset, int length) {
        int n = 0;
        while (n < length && segment.get(ValueLayout.JAVA_BYTE, offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    byte[] bytes(int type) {
        if (!has(type)) {
            return new byte[0];
        }
        return bytes(segment, offsets[type], lengths[type]);
    }

    static byte[] bytes(MemorySegment segment, int offset, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
        return bytes;
    }

    /** An IPv4 or IPv6 address; empty if absent or of another length. */
    Optional<InetAddress> address(int type) {
        int length = length(type);
        if (length != 4 && length != 16) {
            return Optional.empty();
        }
        return Optional.of(AddressFamily.address(bytes(type)));
    }

    /** A 6-byte Ethernet address; empty if absent or of another length. */
    Optional<MacAddress> mac(int type) {
        return length(type) == MacAddress.LENGTH ? Optional.of(MacAddress.of(bytes(type))) : Optional.empty();
    }

    /** The attributes nested in {@code type} (none if it is absent). */
    Attributes nested(int type, int maxType) {
        if (!has(type)) {
            return new Attributes(segment, maxType);
        }
        return parse(segment, offsets[type], offsets[type] + lengths[type], maxType);
    }
}
