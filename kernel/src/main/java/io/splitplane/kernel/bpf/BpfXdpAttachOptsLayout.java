package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct bpf_xdp_attach_opts} (libbpf.h, libbpf 1.1), the options of {@code bpf_xdp_attach}
 * and {@code bpf_xdp_detach}. A non-zero {@code old_prog_fd} makes libbpf add XDP_FLAGS_REPLACE: the
 * kernel then changes the slot only if that program is the one attached.
 *
 * <pre>
 *  0                   8          12         16
 * +-------------------+----------+----------+
 * | size_t sz         | old_fd   | pad      |
 * +-------------------+----------+----------+
 * </pre>
 */
final class BpfXdpAttachOptsLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("old_prog_fd"),
            MemoryLayout.paddingLayout(4)).withName("bpf_xdp_attach_opts");

    static final long SIZE = LAYOUT.byteSize();
    static final long SZ = LAYOUT.byteOffset(groupElement("sz"));
    static final long OLD_PROG_FD = LAYOUT.byteOffset(groupElement("old_prog_fd"));

    private BpfXdpAttachOptsLayout() {
    }
}
