package io.splitplane.dataplane.fib;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Ethernet II header ({@code struct ethhdr}, {@code <linux/if_ether.h>}), as ip4-rewrite writes it.
 *
 * <pre>
 *  0                   6                   12      14
 * +-------------------+-------------------+-------+
 * | h_dest (6)        | h_source (6)      | proto |   proto: EtherType, big-endian
 * +-------------------+-------------------+-------+
 * </pre>
 */
public final class EthernetHeaderLayout {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(6, ValueLayout.JAVA_BYTE).withName("h_dest"),
            MemoryLayout.sequenceLayout(6, ValueLayout.JAVA_BYTE).withName("h_source"),
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN).withName("h_proto"))
            .withName("ethhdr");

    public static final long DESTINATION_OFFSET = offset("h_dest");
    public static final long SOURCE_OFFSET = offset("h_source");
    public static final long ETHER_TYPE_OFFSET = offset("h_proto");
    public static final long SIZE = LAYOUT.byteSize();

    public static final int ETHER_TYPE_IPV4 = 0x0800;

    private EthernetHeaderLayout() {
    }

    private static long offset(final String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
