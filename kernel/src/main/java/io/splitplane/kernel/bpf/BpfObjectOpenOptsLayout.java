package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct bpf_object_open_opts} (libbpf.h, libbpf 1.1), the options of
 * {@code bpf_object__open_file} and {@code bpf_object__open_mem}.
 *
 * <pre>
 *  0                   8                   16    17        24                  32
 * +-------------------+-------------------+-----+---------+-------------------+---------+--------+
 * | size_t sz         | object_name *     |relax| pad     | pin_root_path *   | u32 :32 | pad    |
 * +-------------------+-------------------+-----+---------+-------------------+---------+--------+
 *  40                  48                  56                  64                  72        76  80
 * +-------------------+-------------------+-------------------+-------------------+---------+----+
 * | kconfig *         | btf_custom_path * | kernel_log_buf *  | kernel_log_size   | log_lvl | pad|
 * +-------------------+-------------------+-------------------+-------------------+---------+----+
 * </pre>
 *
 * libbpf reads only the first {@code sz} bytes, so a newer libbpf accepts this older struct.
 */
final class BpfObjectOpenOptsLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            ADDRESS.withName("object_name"),
            JAVA_BYTE.withName("relaxed_maps"),
            MemoryLayout.paddingLayout(7),
            ADDRESS.withName("pin_root_path"),
            JAVA_INT.withName("attach_prog_fd_removed"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("kconfig"),
            ADDRESS.withName("btf_custom_path"),
            ADDRESS.withName("kernel_log_buf"),
            JAVA_LONG.withName("kernel_log_size"),
            JAVA_INT.withName("kernel_log_level"),
            MemoryLayout.paddingLayout(4)).withName("bpf_object_open_opts");

    static final long SIZE = LAYOUT.byteSize();
    static final long SZ = offset("sz");
    static final long OBJECT_NAME = offset("object_name");
    static final long RELAXED_MAPS = offset("relaxed_maps");
    static final long PIN_ROOT_PATH = offset("pin_root_path");
    static final long KCONFIG = offset("kconfig");
    static final long BTF_CUSTOM_PATH = offset("btf_custom_path");
    static final long KERNEL_LOG_BUF = offset("kernel_log_buf");
    static final long KERNEL_LOG_SIZE = offset("kernel_log_size");
    static final long KERNEL_LOG_LEVEL = offset("kernel_log_level");

    private BpfObjectOpenOptsLayout() {
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
