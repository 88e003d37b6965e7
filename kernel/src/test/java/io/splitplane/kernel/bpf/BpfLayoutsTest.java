package io.splitplane.kernel.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.splitplane.kernel.testing.CHeaderProbe;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The *Layout classes against the C headers they mirror (libbpf-dev's bpf/libbpf.h and bpf/bpf.h,
 * linux/bpf.h, linux/if_link.h): a C program compiled here prints sizeof/offsetof, and every number
 * must match.
 */
class BpfLayoutsTest {

    @Test
    void layoutsAndConstantsMatchTheHeaders() {
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("sizeof(bpf_object_open_opts)", BpfObjectOpenOptsLayout.SIZE);
        java.put("bpf_object_open_opts.sz", BpfObjectOpenOptsLayout.SZ);
        java.put("bpf_object_open_opts.object_name", BpfObjectOpenOptsLayout.OBJECT_NAME);
        java.put("bpf_object_open_opts.relaxed_maps", BpfObjectOpenOptsLayout.RELAXED_MAPS);
        java.put("bpf_object_open_opts.pin_root_path", BpfObjectOpenOptsLayout.PIN_ROOT_PATH);
        java.put("bpf_object_open_opts.kconfig", BpfObjectOpenOptsLayout.KCONFIG);
        java.put("bpf_object_open_opts.btf_custom_path", BpfObjectOpenOptsLayout.BTF_CUSTOM_PATH);
        java.put("bpf_object_open_opts.kernel_log_buf", BpfObjectOpenOptsLayout.KERNEL_LOG_BUF);
        java.put("bpf_object_open_opts.kernel_log_size", BpfObjectOpenOptsLayout.KERNEL_LOG_SIZE);
        java.put("bpf_object_open_opts.kernel_log_level", BpfObjectOpenOptsLayout.KERNEL_LOG_LEVEL);

        java.put("sizeof(bpf_test_run_opts)", BpfTestRunOptsLayout.SIZE);
        java.put("bpf_test_run_opts.sz", BpfTestRunOptsLayout.SZ);
        java.put("bpf_test_run_opts.data_in", BpfTestRunOptsLayout.DATA_IN);
        java.put("bpf_test_run_opts.data_out", BpfTestRunOptsLayout.DATA_OUT);
        java.put("bpf_test_run_opts.data_size_in", BpfTestRunOptsLayout.DATA_SIZE_IN);
        java.put("bpf_test_run_opts.data_size_out", BpfTestRunOptsLayout.DATA_SIZE_OUT);
        java.put("bpf_test_run_opts.ctx_in", BpfTestRunOptsLayout.CTX_IN);
        java.put("bpf_test_run_opts.ctx_out", BpfTestRunOptsLayout.CTX_OUT);
        java.put("bpf_test_run_opts.ctx_size_in", BpfTestRunOptsLayout.CTX_SIZE_IN);
        java.put("bpf_test_run_opts.ctx_size_out", BpfTestRunOptsLayout.CTX_SIZE_OUT);
        java.put("bpf_test_run_opts.retval", BpfTestRunOptsLayout.RETVAL);
        java.put("bpf_test_run_opts.repeat", BpfTestRunOptsLayout.REPEAT);
        java.put("bpf_test_run_opts.duration", BpfTestRunOptsLayout.DURATION);
        java.put("bpf_test_run_opts.flags", BpfTestRunOptsLayout.FLAGS);
        java.put("bpf_test_run_opts.cpu", BpfTestRunOptsLayout.CPU);
        java.put("bpf_test_run_opts.batch_size", BpfTestRunOptsLayout.BATCH_SIZE);

        java.put("sizeof(bpf_xdp_attach_opts)", BpfXdpAttachOptsLayout.SIZE);
        java.put("bpf_xdp_attach_opts.sz", BpfXdpAttachOptsLayout.SZ);
        java.put("bpf_xdp_attach_opts.old_prog_fd", BpfXdpAttachOptsLayout.OLD_PROG_FD);

        java.put("sizeof(bpf_xdp_query_opts)", BpfXdpQueryOptsLayout.SIZE);
        java.put("bpf_xdp_query_opts.sz", BpfXdpQueryOptsLayout.SZ);
        java.put("bpf_xdp_query_opts.prog_id", BpfXdpQueryOptsLayout.PROG_ID);
        java.put("bpf_xdp_query_opts.drv_prog_id", BpfXdpQueryOptsLayout.DRV_PROG_ID);
        java.put("bpf_xdp_query_opts.hw_prog_id", BpfXdpQueryOptsLayout.HW_PROG_ID);
        java.put("bpf_xdp_query_opts.skb_prog_id", BpfXdpQueryOptsLayout.SKB_PROG_ID);
        java.put("bpf_xdp_query_opts.attach_mode", BpfXdpQueryOptsLayout.ATTACH_MODE);

        java.put("sizeof(bpf_tc_hook)", BpfTcHookLayout.SIZE);
        java.put("bpf_tc_hook.sz", BpfTcHookLayout.SZ);
        java.put("bpf_tc_hook.ifindex", BpfTcHookLayout.IFINDEX);
        java.put("bpf_tc_hook.attach_point", BpfTcHookLayout.ATTACH_POINT);
        java.put("bpf_tc_hook.parent", BpfTcHookLayout.PARENT);
        java.put("BPF_TC_INGRESS", (long) BpfTcHookLayout.BPF_TC_INGRESS);
        java.put("sizeof(bpf_tc_opts)", BpfTcOptsLayout.SIZE);
        java.put("bpf_tc_opts.sz", BpfTcOptsLayout.SZ);
        java.put("bpf_tc_opts.prog_fd", BpfTcOptsLayout.PROG_FD);
        java.put("bpf_tc_opts.flags", BpfTcOptsLayout.FLAGS);
        java.put("bpf_tc_opts.prog_id", BpfTcOptsLayout.PROG_ID);
        java.put("bpf_tc_opts.handle", BpfTcOptsLayout.HANDLE);
        java.put("bpf_tc_opts.priority", BpfTcOptsLayout.PRIORITY);
        java.put("BPF_PROG_TYPE_SCHED_CLS", (long) BpfProgram.TYPE_SCHED_CLS);

        java.put("sizeof(bpf_map_create_opts)", BpfMapCreateOptsLayout.SIZE);
        java.put("bpf_map_create_opts.sz", BpfMapCreateOptsLayout.SZ);
        java.put("bpf_map_create_opts.inner_map_fd", BpfMapCreateOptsLayout.INNER_MAP_FD);
        java.put("bpf_map_create_opts.map_flags", BpfMapCreateOptsLayout.MAP_FLAGS);
        java.put("bpf_map_create_opts.map_extra", BpfMapCreateOptsLayout.MAP_EXTRA);

        java.put("sizeof(bpf_map_info)", BpfMapInfoLayout.SIZE);
        java.put("bpf_map_info.type", BpfMapInfoLayout.TYPE);
        java.put("bpf_map_info.id", BpfMapInfoLayout.ID);
        java.put("bpf_map_info.key_size", BpfMapInfoLayout.KEY_SIZE);
        java.put("bpf_map_info.value_size", BpfMapInfoLayout.VALUE_SIZE);
        java.put("bpf_map_info.max_entries", BpfMapInfoLayout.MAX_ENTRIES);
        java.put("bpf_map_info.map_flags", BpfMapInfoLayout.MAP_FLAGS);
        java.put("bpf_map_info.name", BpfMapInfoLayout.NAME);
        java.put("bpf_map_info.ifindex", BpfMapInfoLayout.IFINDEX);
        java.put("bpf_map_info.netns_dev", BpfMapInfoLayout.NETNS_DEV);
        java.put("bpf_map_info.map_extra", BpfMapInfoLayout.MAP_EXTRA);

        java.put("sizeof(bpf_prog_info)", BpfProgInfoLayout.SIZE);
        java.put("bpf_prog_info.type", BpfProgInfoLayout.TYPE);
        java.put("bpf_prog_info.id", BpfProgInfoLayout.ID);
        java.put("bpf_prog_info.tag", BpfProgInfoLayout.TAG);
        java.put("bpf_prog_info.name", BpfProgInfoLayout.NAME);
        java.put("bpf_prog_info.ifindex", BpfProgInfoLayout.IFINDEX);

        java.put("sizeof(xdp_md)", XdpMdLayout.SIZE);
        java.put("xdp_md.ingress_ifindex", XdpMdLayout.INGRESS_IFINDEX);
        java.put("xdp_md.rx_queue_index", XdpMdLayout.RX_QUEUE_INDEX);

        java.put("BPF_OBJ_NAME_LEN", (long) BpfProgInfoLayout.OBJ_NAME_LEN);
        java.put("XDP_FLAGS_DRV_MODE", (long) XdpMode.NATIVE.flag());
        java.put("XDP_FLAGS_SKB_MODE", (long) XdpMode.GENERIC.flag());
        java.put("BPF_PROG_TYPE_XDP", (long) BpfProgram.TYPE_XDP);
        java.put("BPF_MAP_TYPE_HASH", (long) BpfMap.TYPE_HASH);
        java.put("BPF_MAP_TYPE_ARRAY", (long) BpfMap.TYPE_ARRAY);
        java.put("BPF_MAP_TYPE_PERCPU_HASH", (long) BpfMap.TYPE_PERCPU_HASH);
        java.put("BPF_MAP_TYPE_PERCPU_ARRAY", (long) BpfMap.TYPE_PERCPU_ARRAY);
        java.put("BPF_MAP_TYPE_LRU_HASH", (long) BpfMap.TYPE_LRU_HASH);
        java.put("BPF_MAP_TYPE_LRU_PERCPU_HASH", (long) BpfMap.TYPE_LRU_PERCPU_HASH);
        java.put("BPF_MAP_TYPE_LPM_TRIE", (long) BpfMap.TYPE_LPM_TRIE);
        java.put("BPF_MAP_TYPE_ARRAY_OF_MAPS", (long) BpfMap.TYPE_ARRAY_OF_MAPS);
        java.put("BPF_MAP_TYPE_HASH_OF_MAPS", (long) BpfMap.TYPE_HASH_OF_MAPS);
        java.put("BPF_F_NO_PREALLOC", (long) BpfMap.F_NO_PREALLOC);
        java.put("BPF_F_RDONLY_PROG", (long) BpfMap.F_RDONLY_PROG);
        java.put("BPF_F_INNER_MAP", (long) BpfMap.F_INNER_MAP);
        java.put("BPF_OBJ_NAME_LEN-1", (long) BpfMap.MAX_NAME_LENGTH);
        java.put("BPF_MAP_TYPE_DEVMAP", (long) BpfMap.TYPE_DEVMAP);
        java.put("BPF_MAP_TYPE_XSKMAP", (long) BpfMap.TYPE_XSKMAP);
        java.put("BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE", (long) BpfMap.TYPE_PERCPU_CGROUP_STORAGE);
        java.put("BPF_ANY", BpfMap.ANY);
        java.put("BPF_NOEXIST", BpfMap.NOEXIST);
        java.put("BPF_EXIST", BpfMap.EXIST);
        java.put("BPF_F_LOCK", BpfMap.F_LOCK);
        java.put("XDP_ABORTED", (long) XdpAction.ABORTED);
        java.put("XDP_DROP", (long) XdpAction.DROP);
        java.put("XDP_PASS", (long) XdpAction.PASS);
        java.put("XDP_TX", (long) XdpAction.TX);
        java.put("XDP_REDIRECT", (long) XdpAction.REDIRECT);
        BpfException.libbpfErrnoNames().forEach((code, name) -> java.put(name, (long) code));

        assertEquals(new TreeMap<>(java), new TreeMap<>(fromC(java)));
    }

    /** The C value of every key: {@code sizeof(x)} and {@code x.f} name struct sizes and offsets. */
    private static Map<String, Long> fromC(Map<String, Long> keys) {
        return CHeaderProbe.structFacts("""
                #include <bpf/libbpf.h>
                #include <bpf/bpf.h>
                #include <linux/bpf.h>
                #include <linux/if_link.h>
                """, keys.keySet());
    }
}
