package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct bpf_map_info} (linux/bpf.h, 6.1 uapi), what BPF_OBJ_GET_INFO_BY_FD tells about a map.
 *
 * <pre>
 *  0          4          8          12         16         20         24                    40
 * +----------+----------+----------+----------+----------+----------+---------------------+
 * | type     | id       | key_size | val_size | max_ent  | flags    | char name[16]       |
 * +----------+----------+----------+----------+----------+----------+---------------------+
 *  40         44         48                  56                  64         68         72         76        80        88
 * +----------+----------+-------------------+-------------------+----------+----------+----------+---------+---------+
 * | ifindex  | vmlx_vid | netns_dev         | netns_ino         | btf_id   | btf_kid  | btf_vid  | pad     | extra   |
 * +----------+----------+-------------------+-------------------+----------+----------+----------+---------+---------+
 * </pre>
 *
 * The kernel fills at most the length it is given, so this older struct works on newer kernels.
 */
final class BpfMapInfoLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("id"),
            JAVA_INT.withName("key_size"),
            JAVA_INT.withName("value_size"),
            JAVA_INT.withName("max_entries"),
            JAVA_INT.withName("map_flags"),
            MemoryLayout.sequenceLayout(BpfProgInfoLayout.OBJ_NAME_LEN, JAVA_BYTE).withName("name"),
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("btf_vmlinux_value_type_id"),
            JAVA_LONG.withName("netns_dev"),
            JAVA_LONG.withName("netns_ino"),
            JAVA_INT.withName("btf_id"),
            JAVA_INT.withName("btf_key_type_id"),
            JAVA_INT.withName("btf_value_type_id"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("map_extra")).withName("bpf_map_info");

    static final long SIZE = LAYOUT.byteSize();
    static final long TYPE = offset("type");
    static final long ID = offset("id");
    static final long KEY_SIZE = offset("key_size");
    static final long VALUE_SIZE = offset("value_size");
    static final long MAX_ENTRIES = offset("max_entries");
    static final long MAP_FLAGS = offset("map_flags");
    static final long NAME = offset("name");
    static final long IFINDEX = offset("ifindex");
    static final long NETNS_DEV = offset("netns_dev");
    static final long MAP_EXTRA = offset("map_extra");

    private BpfMapInfoLayout() {
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
