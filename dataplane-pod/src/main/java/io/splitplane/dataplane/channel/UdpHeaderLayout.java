package io.splitplane.dataplane.channel;

import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct udphdr} (linux/udp.h), big-endian on the wire: every field a u16
 * ({@link Ip4HeaderLayout#FIELD_U16} reads them).
 *
 * <pre>
 *  0          2          4          6          8
 * +----------+----------+----------+----------+
 * | source   | dest     | len      | check    |
 * +----------+----------+----------+----------+
 * </pre>
 */
public final class UdpHeaderLayout {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Ip4HeaderLayout.FIELD_U16.withName("source"),
            Ip4HeaderLayout.FIELD_U16.withName("dest"),
            Ip4HeaderLayout.FIELD_U16.withName("len"),
            Ip4HeaderLayout.FIELD_U16.withName("check")).withName("udphdr");

    public static final long SOURCE_OFFSET = offset("source");
    public static final long DEST_OFFSET = offset("dest");
    public static final long LENGTH_OFFSET = offset("len");
    public static final long CHECKSUM_OFFSET = offset("check");
    public static final int SIZE = (int) LAYOUT.byteSize();
    public static final int PROTOCOL = 17;

    private UdpHeaderLayout() {
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
