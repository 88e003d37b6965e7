package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct bpf_xdp_query_opts} (libbpf.h, libbpf 1.1), filled by {@code bpf_xdp_query}: which
 * program ids sit in which XDP slot of an interface.
 *
 * <pre>
 *  0                   8          12         16         20         24    25                32
 * +-------------------+----------+----------+----------+----------+-----+-----------------+
 * | size_t sz         | prog_id  | drv_id   | hw_id    | skb_id   | mode| pad             |
 * +-------------------+----------+----------+----------+----------+-----+-----------------+
 * </pre>
 *
 * {@code attach_mode} is XDP_ATTACHED_NONE=0, DRV=1, SKB=2, HW=3 or MULTI=4 (linux/if_link.h).
 */
final class BpfXdpQueryOptsLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("prog_id"),
            JAVA_INT.withName("drv_prog_id"),
            JAVA_INT.withName("hw_prog_id"),
            JAVA_INT.withName("skb_prog_id"),
            JAVA_BYTE.withName("attach_mode"),
            MemoryLayout.paddingLayout(7)).withName("bpf_xdp_query_opts");

    static final long SIZE = LAYOUT.byteSize();
    static final long SZ = offset("sz");
    static final long PROG_ID = offset("prog_id");
    static final long DRV_PROG_ID = offset("drv_prog_id");
    static final long HW_PROG_ID = offset("hw_prog_id");
    static final long SKB_PROG_ID = offset("skb_prog_id");
    static final long ATTACH_MODE = offset("attach_mode");

    private BpfXdpQueryOptsLayout() {
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
