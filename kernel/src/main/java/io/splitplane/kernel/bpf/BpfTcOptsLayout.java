package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct bpf_tc_opts} (libbpf.h, libbpf 1.1): the filter {@code bpf_tc_attach} creates (program
 * fd in, handle/priority/id out) and {@code bpf_tc_detach} removes (handle and priority in, the rest 0).
 *
 * <pre>
 *  0                   8          12         16         20         24         28         32
 * +-------------------+----------+----------+----------+----------+----------+----------+
 * | size_t sz         | prog_fd  | flags    | prog_id  | handle   | priority | pad      |
 * +-------------------+----------+----------+----------+----------+----------+----------+
 * </pre>
 */
final class BpfTcOptsLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("prog_fd"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("prog_id"),
            JAVA_INT.withName("handle"),
            JAVA_INT.withName("priority"),
            MemoryLayout.paddingLayout(4)).withName("bpf_tc_opts");

    static final long SIZE = LAYOUT.byteSize();
    static final long SZ = offset("sz");
    static final long PROG_FD = offset("prog_fd");
    static final long FLAGS = offset("flags");
    static final long PROG_ID = offset("prog_id");
    static final long HANDLE = offset("handle");
    static final long PRIORITY = offset("priority");

    private BpfTcOptsLayout() {
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
