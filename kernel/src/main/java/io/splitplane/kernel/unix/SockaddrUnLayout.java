package io.splitplane.kernel.unix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct sockaddr_un}, a unix socket address.
 *
 * <pre>
 *  0             2                                               110
 *  +-------------+-----------------------------------------------+
 *  | sun_family  | sun_path: NUL-terminated path, 108 bytes      |
 *  +-------------+-----------------------------------------------+
 * </pre>
 */
final class SockaddrUnLayout {
    static final int PATH_BYTES = 108;
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(PATH_BYTES, JAVA_BYTE).withName("sun_path"));

    static final int SIZE = (int) LAYOUT.byteSize();
    static final int FAMILY = offset("sun_family");
    static final int PATH = offset("sun_path");

    private SockaddrUnLayout() {
    }

    private static int offset(String field) {
        return (int) LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
