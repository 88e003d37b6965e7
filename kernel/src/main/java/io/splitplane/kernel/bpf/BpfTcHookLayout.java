package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct bpf_tc_hook} (libbpf.h, libbpf 1.1): which clsact hook of an interface
 * {@code bpf_tc_hook_create} and {@code bpf_tc_attach} work on.
 *
 * <pre>
 *  0                   8          12             16         20         24
 * +-------------------+----------+--------------+----------+----------+
 * | size_t sz         | ifindex  | attach_point | parent   | pad      |
 * +-------------------+----------+--------------+----------+----------+
 * </pre>
 *
 * {@code attach_point} is {@code BPF_TC_INGRESS = 1}, {@code BPF_TC_EGRESS = 2}.
 */
final class BpfTcHookLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("attach_point"),
            JAVA_INT.withName("parent"),
            MemoryLayout.paddingLayout(4)).withName("bpf_tc_hook");

    static final long SIZE = LAYOUT.byteSize();
    static final long SZ = offset("sz");
    static final long IFINDEX = offset("ifindex");
    static final long ATTACH_POINT = offset("attach_point");
    static final long PARENT = offset("parent");

    /** enum bpf_tc_attach_point */
    static final int BPF_TC_INGRESS = 1;

    private BpfTcHookLayout() {
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
