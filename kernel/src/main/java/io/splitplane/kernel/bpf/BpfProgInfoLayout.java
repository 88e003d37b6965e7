package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct bpf_prog_info} (linux/bpf.h, 6.1 uapi), what BPF_OBJ_GET_INFO_BY_FD tells about a
 * program. Only the head is read here; the rest is kept as opaque bytes so the buffer has the
 * header's size.
 *
 * <pre>
 *  0          4          8                   16         20         24                  32
 * +----------+----------+-------------------+----------+----------+-------------------+
 * | type     | id       | u8 tag[8]         | jited_len| xlat_len | jited_insns (ptr) |
 * +----------+----------+-------------------+----------+----------+-------------------+
 *  32                  40                  48         52         56                  64
 * +-------------------+-------------------+----------+----------+-------------------+
 * | xlated_insns (ptr)| load_time         | uid      | nr_maps  | map_ids (ptr)     |
 * +-------------------+-------------------+----------+----------+-------------------+
 *  64                   80         84          88                                   232
 * +--------------------+----------+-----------+--------------------------------------+
 * | char name[16]      | ifindex  | gpl:1     | netns_dev ... (not read here)        |
 * +--------------------+----------+-----------+--------------------------------------+
 * </pre>
 *
 * The buffer must be zeroed: the pointer fields ask the kernel to copy instructions and map ids
 * into user memory, and zero means "don't".
 */
final class BpfProgInfoLayout {
    /** BPF_OBJ_NAME_LEN: names the kernel keeps for programs and maps, NUL included. */
    static final int OBJ_NAME_LEN = 16;
    private static final long HEADER_SIZE = 232;
    private static final long HEAD_SIZE = 88;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("id"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tag"),
            JAVA_INT.withName("jited_prog_len"),
            JAVA_INT.withName("xlated_prog_len"),
            JAVA_LONG.withName("jited_prog_insns"),
            JAVA_LONG.withName("xlated_prog_insns"),
            JAVA_LONG.withName("load_time"),
            JAVA_INT.withName("created_by_uid"),
            JAVA_INT.withName("nr_map_ids"),
            JAVA_LONG.withName("map_ids"),
            MemoryLayout.sequenceLayout(OBJ_NAME_LEN, JAVA_BYTE).withName("name"),
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("gpl_compatible"),
            MemoryLayout.sequenceLayout(HEADER_SIZE - HEAD_SIZE, JAVA_BYTE).withName("rest")).withName("bpf_prog_info");

    static final long SIZE = LAYOUT.byteSize();
    static final long TYPE = offset("type");
    static final long ID = offset("id");
    static final long TAG = offset("tag");
    static final long NAME = offset("name");
    static final long IFINDEX = offset("ifindex");

    private BpfProgInfoLayout() {
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
