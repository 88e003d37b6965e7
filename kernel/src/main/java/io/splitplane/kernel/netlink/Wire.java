package io.splitplane.kernel.netlink;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * Host-byte-order field access for netlink messages. Netlink headers and integer attributes are in
 * the host's order (IP addresses inside attributes are plain network-order byte strings). The
 * unaligned layouts are deliberate: messages are 4-aligned, but 64-bit attributes are not 8-aligned,
 * and tests feed crafted messages from heap arrays, which have no alignment guarantee at all.
 */
final class Wire {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private Wire() {
    }

    static int u8(MemorySegment segment, long offset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset));
    }

    static int u16(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(U16, offset));
    }

    /** A u32 or s32 field; unsigned values above 2^31 come back negative, as in C. */
    static int i32(MemorySegment segment, long offset) {
        return segment.get(U32, offset);
    }

    static long i64(MemorySegment segment, long offset) {
        return segment.get(U64, offset);
    }

    static void putI64(MemorySegment segment, long offset, long value) {
        segment.set(U64, offset, value);
    }

    static void putU8(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    static void putU16(MemorySegment segment, long offset, int value) {
        segment.set(U16, offset, (short) value);
    }

    static void putI32(MemorySegment segment, long offset, int value) {
        segment.set(U32, offset, value);
    }

    /** Byte offset of a named field, so layouts state each offset once, in the struct definition. */
    static int offset(StructLayout layout, String field) {
        return (int) layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
