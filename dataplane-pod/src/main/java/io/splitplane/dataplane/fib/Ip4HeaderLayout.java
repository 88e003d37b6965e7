package io.splitplane.dataplane.fib;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The IPv4 header ({@code struct iphdr}, {@code <netinet/ip.h>} / {@code <linux/ip.h>}), every
 * multi-byte field big-endian (network order).
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +-------+-------+---------------+-------------------------------+
 * |version|  ihl  |      tos      |          tot_len              |  0
 * +-------+-------+---------------+-----+-------------------------+
 * |              id               |flags|      frag_off           |  4
 * +---------------+---------------+-----+-------------------------+
 * |      ttl      |   protocol    |          check                |  8
 * +---------------+---------------+-------------------------------+
 * |                            saddr                              | 12
 * +---------------------------------------------------------------+
 * |                            daddr                              | 16
 * +---------------------------------------------------------------+
 * |                    options (ihl > 5) ...                      | 20
 * </pre>
 * The 16-bit word at offset 8 is {@code ttl << 8 | protocol}: the word RFC 1624's incremental update
 * changes when the TTL is decremented.
 */
public final class Ip4HeaderLayout {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("version_ihl"),
            ValueLayout.JAVA_BYTE.withName("tos"),
            U16.withName("tot_len"),
            U16.withName("id"),
            U16.withName("frag_off"),
            ValueLayout.JAVA_BYTE.withName("ttl"),
            ValueLayout.JAVA_BYTE.withName("protocol"),
            U16.withName("check"),
            U32.withName("saddr"),
            U32.withName("daddr"))
            .withName("iphdr");

    public static final long VERSION_IHL_OFFSET = offset("version_ihl");
    public static final long TOTAL_LENGTH_OFFSET = offset("tot_len");
    public static final long ID_OFFSET = offset("id");
    public static final long FRAGMENT_OFFSET = offset("frag_off");
    public static final long TTL_OFFSET = offset("ttl");
    public static final long PROTOCOL_OFFSET = offset("protocol");
    public static final long CHECKSUM_OFFSET = offset("check");
    public static final long SOURCE_OFFSET = offset("saddr");
    public static final long DESTINATION_OFFSET = offset("daddr");
    /** Bytes without options (ihl = 5). */
    public static final long MIN_SIZE = LAYOUT.byteSize();
    public static final int MAX_SIZE = 60;

    /** Big-endian 16-bit access for the fields above. */
    public static final ValueLayout.OfShort FIELD_U16 = U16;
    /** Big-endian 32-bit access for the addresses. */
    public static final ValueLayout.OfInt FIELD_U32 = U32;

    private Ip4HeaderLayout() {
    }

    private static long offset(final String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
