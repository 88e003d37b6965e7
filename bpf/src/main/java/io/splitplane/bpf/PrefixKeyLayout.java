package io.splitplane.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@code struct sp_lpm4_key} and {@code struct sp_lpm6_key} (classifier.h), the keys of the prefix
 * tries, and {@code struct sp_lpm_value}. The generation is big-endian so that it is the leading 32
 * bits of the trie's prefix; {@code prefixlen} (host order) counts those 32 bits plus the address
 * prefix length.
 *
 * <pre>
 *  0            4                  8
 * +------------+------------------+---------------------------+
 * | prefixlen  | generation (BE)  | addr[4] (v4) / addr[16] (v6) |
 * +------------+------------------+---------------------------+
 * </pre>
 */
final class PrefixKeyLayout {
    static final ValueLayout.OfInt GENERATION_BE = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    static final StructLayout V4 = MemoryLayout.structLayout(
            JAVA_INT.withName("prefixlen"),
            GENERATION_BE.withName("generation"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("addr")).withName("sp_lpm4_key");
    static final StructLayout V6 = MemoryLayout.structLayout(
            JAVA_INT.withName("prefixlen"),
            GENERATION_BE.withName("generation"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("addr")).withName("sp_lpm6_key");

    static final long V4_SIZE = V4.byteSize();
    static final long V6_SIZE = V6.byteSize();
    static final long PREFIXLEN = V4.byteOffset(groupElement("prefixlen"));
    static final long GENERATION = V4.byteOffset(groupElement("generation"));
    static final long ADDR = V4.byteOffset(groupElement("addr"));
    /** The bits the generation adds to every prefix length. */
    static final int GENERATION_BITS = 32;
    /** sizeof(struct sp_lpm_value): a u64 rule bitmask. */
    static final long VALUE_SIZE = 8;

    private PrefixKeyLayout() {
    }

    static long size(int ipVersion) {
        return ipVersion == 4 ? V4_SIZE : V6_SIZE;
    }
}
