package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct bpf_map_create_opts} (bpf/bpf.h, libbpf 1.1), the options of {@code bpf_map_create}.
 * Zeroed fields mean "none": no BTF, no inner map template, no NUMA node, no device.
 *
 * <pre>
 *  0          8        12        16          20          24         28          32          40
 * +----------+--------+---------+-----------+-----------+----------+-----------+-----------+
 * | size_t sz| btf_fd | key_tid | value_tid | vmlinux_t | inner_fd | map_flags | map_extra |
 * +----------+--------+---------+-----------+-----------+----------+-----------+-----------+
 *  40          44            48
 * +-----------+-------------+
 * | numa_node | map_ifindex |
 * +-----------+-------------+
 * </pre>
 */
final class BpfMapCreateOptsLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("btf_fd"),
            JAVA_INT.withName("btf_key_type_id"),
            JAVA_INT.withName("btf_value_type_id"),
            JAVA_INT.withName("btf_vmlinux_value_type_id"),
            JAVA_INT.withName("inner_map_fd"),
            JAVA_INT.withName("map_flags"),
            JAVA_LONG.withName("map_extra"),
            JAVA_INT.withName("numa_node"),
            JAVA_INT.withName("map_ifindex")).withName("bpf_map_create_opts");

    static final long SIZE = LAYOUT.byteSize();
    static final long SZ = LAYOUT.byteOffset(groupElement("sz"));
    static final long INNER_MAP_FD = LAYOUT.byteOffset(groupElement("inner_map_fd"));
    static final long MAP_FLAGS = LAYOUT.byteOffset(groupElement("map_flags"));
    static final long MAP_EXTRA = LAYOUT.byteOffset(groupElement("map_extra"));

    private BpfMapCreateOptsLayout() {
    }
}
