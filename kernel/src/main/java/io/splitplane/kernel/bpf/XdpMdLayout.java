package io.splitplane.kernel.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct xdp_md} (linux/bpf.h), an XDP program's context. In BPF_PROG_TEST_RUN it is the
 * optional context input: {@code ingress_ifindex} and {@code rx_queue_index} say where the test frame
 * "arrived"; data, data_end, data_meta and egress_ifindex must stay 0.
 *
 * <pre>
 *  0          4          8          12          16         20         24
 * +----------+----------+----------+-----------+----------+----------+
 * | data     | data_end | data_meta| ingress_if| rx_queue | egress_if|
 * +----------+----------+----------+-----------+----------+----------+
 * </pre>
 */
final class XdpMdLayout {
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("data"),
            JAVA_INT.withName("data_end"),
            JAVA_INT.withName("data_meta"),
            JAVA_INT.withName("ingress_ifindex"),
            JAVA_INT.withName("rx_queue_index"),
            JAVA_INT.withName("egress_ifindex")).withName("xdp_md");

    static final long SIZE = LAYOUT.byteSize();
    static final long INGRESS_IFINDEX = LAYOUT.byteOffset(groupElement("ingress_ifindex"));
    static final long RX_QUEUE_INDEX = LAYOUT.byteOffset(groupElement("rx_queue_index"));

    private XdpMdLayout() {
    }
}
