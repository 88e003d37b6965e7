package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct bpf_test_run_opts} (bpf.h, libbpf 1.1), the argument of
 * {@code bpf_prog_test_run_opts} (BPF_PROG_TEST_RUN).
 *
 * <pre>
 *  0                   8                   16                  24         28         32
 * +-------------------+-------------------+-------------------+----------+----------+
 * | size_t sz         | data_in *         | data_out *        | size_in  | size_out |  size_out: in = capacity,
 * +-------------------+-------------------+-------------------+----------+----------+            out = length
 *  32                  40                  48         52         56         60         64
 * +-------------------+-------------------+----------+----------+----------+----------+
 * | ctx_in *          | ctx_out *         | ctx_in_sz| ctx_out_sz| retval  | repeat   |
 * +-------------------+-------------------+----------+----------+----------+----------+
 *  64         68         72         76         80
 * +----------+----------+----------+----------+
 * | duration | flags    | cpu      | batch_sz |   duration: out, average ns per repetition
 * +----------+----------+----------+----------+
 * </pre>
 */
final class BpfTestRunOptsLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            ADDRESS.withName("data_in"),
            ADDRESS.withName("data_out"),
            JAVA_INT.withName("data_size_in"),
            JAVA_INT.withName("data_size_out"),
            ADDRESS.withName("ctx_in"),
            ADDRESS.withName("ctx_out"),
            JAVA_INT.withName("ctx_size_in"),
            JAVA_INT.withName("ctx_size_out"),
            JAVA_INT.withName("retval"),
            JAVA_INT.withName("repeat"),
            JAVA_INT.withName("duration"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("cpu"),
            JAVA_INT.withName("batch_size")).withName("bpf_test_run_opts");

    static final long SIZE = LAYOUT.byteSize();
    static final long SZ = offset("sz");
    static final long DATA_IN = offset("data_in");
    static final long DATA_OUT = offset("data_out");
    static final long DATA_SIZE_IN = offset("data_size_in");
    static final long DATA_SIZE_OUT = offset("data_size_out");
    static final long CTX_IN = offset("ctx_in");
    static final long CTX_OUT = offset("ctx_out");
    static final long CTX_SIZE_IN = offset("ctx_size_in");
    static final long CTX_SIZE_OUT = offset("ctx_size_out");
    static final long RETVAL = offset("retval");
    static final long REPEAT = offset("repeat");
    static final long DURATION = offset("duration");
    static final long FLAGS = offset("flags");
    static final long CPU = offset("cpu");
    static final long BATCH_SIZE = offset("batch_size");

    private BpfTestRunOptsLayout() {
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
