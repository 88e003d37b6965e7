package io.splitplane.kernel.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.splitplane.kernel.testing.CHeaderProbe;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks every AF_XDP constant and struct offset used in Java against the C headers: a small C
 * program is compiled with gcc against {@code <linux/if_xdp.h>} and the libc headers and prints
 * {@code name value} lines. Values newer than the installed header (guarded by {@code #ifdef}) are
 * checked only when the header has them.
 */
class XdpLayoutTest {
    private static final String PROGRAM = """
            #include <stddef.h>
            #include <stdio.h>
            #include <unistd.h>
            #include <poll.h>
            #include <sys/mman.h>
            #include <sys/socket.h>
            #include <linux/if_xdp.h>
            #define P(name, value) printf("%s %lld\\n", name, (long long)(value))
            #define C(name) P(#name, name)
            #define O(s, f) P(#s "." #f, offsetof(struct s, f))
            #define S(s) P("sizeof " #s, sizeof(struct s))
            int main(void) {
                C(AF_XDP); C(SOL_XDP); C(SOCK_RAW); C(SOCK_CLOEXEC);
                C(XDP_SHARED_UMEM); C(XDP_COPY); C(XDP_ZEROCOPY); C(XDP_USE_NEED_WAKEUP);
            #ifdef XDP_USE_SG
                C(XDP_USE_SG);
            #endif
                C(XDP_UMEM_UNALIGNED_CHUNK_FLAG); C(XDP_RING_NEED_WAKEUP);
                C(XDP_MMAP_OFFSETS); C(XDP_RX_RING); C(XDP_TX_RING); C(XDP_UMEM_REG);
                C(XDP_UMEM_FILL_RING); C(XDP_UMEM_COMPLETION_RING); C(XDP_STATISTICS); C(XDP_OPTIONS);
            #ifdef XDP_MAX_TX_SKB_BUDGET
                C(XDP_MAX_TX_SKB_BUDGET);
            #endif
            #ifdef XDP_PKT_CONTD
                C(XDP_PKT_CONTD);
            #endif
                C(XDP_OPTIONS_ZEROCOPY);
                C(XDP_PGOFF_RX_RING); C(XDP_PGOFF_TX_RING); C(XDP_UMEM_PGOFF_FILL_RING); C(XDP_UMEM_PGOFF_COMPLETION_RING);
                C(XSK_UNALIGNED_BUF_OFFSET_SHIFT); C(XSK_UNALIGNED_BUF_ADDR_MASK);
                C(PROT_READ); C(PROT_WRITE); C(MAP_SHARED); C(MAP_PRIVATE); C(MAP_ANONYMOUS); C(MAP_POPULATE);
                C(MAP_HUGETLB); C(MSG_DONTWAIT); C(POLLIN); C(POLLOUT); C(POLLERR);
                C(SOL_SOCKET); C(SO_BUSY_POLL); C(SO_PREFER_BUSY_POLL); C(SO_BUSY_POLL_BUDGET);
                P("PAGE_SIZE", sysconf(_SC_PAGESIZE));
                S(sockaddr_xdp); O(sockaddr_xdp, sxdp_family); O(sockaddr_xdp, sxdp_flags);
                O(sockaddr_xdp, sxdp_ifindex); O(sockaddr_xdp, sxdp_queue_id); O(sockaddr_xdp, sxdp_shared_umem_fd);
                O(xdp_umem_reg, addr); O(xdp_umem_reg, len); O(xdp_umem_reg, chunk_size); O(xdp_umem_reg, headroom);
                O(xdp_umem_reg, flags);
            #ifdef XDP_UMEM_TX_METADATA_LEN
                O(xdp_umem_reg, tx_metadata_len); S(xdp_umem_reg);
            #endif
                S(xdp_ring_offset); O(xdp_ring_offset, producer); O(xdp_ring_offset, consumer);
                O(xdp_ring_offset, desc); O(xdp_ring_offset, flags);
                S(xdp_mmap_offsets); O(xdp_mmap_offsets, rx); O(xdp_mmap_offsets, tx); O(xdp_mmap_offsets, fr);
                O(xdp_mmap_offsets, cr);
                S(xdp_desc); O(xdp_desc, addr); O(xdp_desc, len); O(xdp_desc, options);
                S(xdp_statistics); O(xdp_statistics, rx_dropped); O(xdp_statistics, rx_invalid_descs);
                O(xdp_statistics, tx_invalid_descs); O(xdp_statistics, rx_ring_full);
                O(xdp_statistics, rx_fill_ring_empty_descs); O(xdp_statistics, tx_ring_empty_descs);
                S(xdp_options); O(xdp_options, flags);
                P("sizeof pollfd", sizeof(struct pollfd)); P("pollfd.events", offsetof(struct pollfd, events));
                P("pollfd.revents", offsetof(struct pollfd, revents));
                return 0;
            }
            """;

    private static Map<String, Long> c;

    @BeforeAll
    static void compileAndRun() {
        c = CHeaderProbe.run(PROGRAM);
    }

    private static void check(String name, long javaValue) {
        assertTrue(c.containsKey(name), () -> name + " was not printed by the C program");
        assertEquals(c.get(name), javaValue, name);
    }

    private static void checkIfKnown(String name, long javaValue) {
        if (c.containsKey(name)) {
            assertEquals(c.get(name), javaValue, name);
        }
    }

    @Test
    void constantsMatchTheHeaders() {
        check("AF_XDP", AfXdp.AF_XDP);
        check("SOL_XDP", AfXdp.SOL_XDP);
        check("SOCK_RAW", AfXdp.SOCK_RAW);
        check("SOCK_CLOEXEC", AfXdp.SOCK_CLOEXEC);
        check("XDP_SHARED_UMEM", AfXdp.XDP_SHARED_UMEM);
        check("XDP_COPY", AfXdp.XDP_COPY);
        check("XDP_ZEROCOPY", AfXdp.XDP_ZEROCOPY);
        check("XDP_USE_NEED_WAKEUP", AfXdp.XDP_USE_NEED_WAKEUP);
        checkIfKnown("XDP_USE_SG", AfXdp.XDP_USE_SG);
        check("XDP_UMEM_UNALIGNED_CHUNK_FLAG", AfXdp.XDP_UMEM_UNALIGNED_CHUNK_FLAG);
        check("XDP_RING_NEED_WAKEUP", AfXdp.XDP_RING_NEED_WAKEUP);
        check("XDP_MMAP_OFFSETS", AfXdp.XDP_MMAP_OFFSETS);
        check("XDP_RX_RING", AfXdp.XDP_RX_RING);
        check("XDP_TX_RING", AfXdp.XDP_TX_RING);
        check("XDP_UMEM_REG", AfXdp.XDP_UMEM_REG);
        check("XDP_UMEM_FILL_RING", AfXdp.XDP_UMEM_FILL_RING);
        check("XDP_UMEM_COMPLETION_RING", AfXdp.XDP_UMEM_COMPLETION_RING);
        check("XDP_STATISTICS", AfXdp.XDP_STATISTICS);
        check("XDP_OPTIONS", AfXdp.XDP_OPTIONS);
        checkIfKnown("XDP_MAX_TX_SKB_BUDGET", AfXdp.XDP_MAX_TX_SKB_BUDGET);
        checkIfKnown("XDP_PKT_CONTD", AfXdp.XDP_PKT_CONTD);
        check("XDP_OPTIONS_ZEROCOPY", AfXdp.XDP_OPTIONS_ZEROCOPY);
        check("XDP_PGOFF_RX_RING", AfXdp.XDP_PGOFF_RX_RING);
        check("XDP_PGOFF_TX_RING", AfXdp.XDP_PGOFF_TX_RING);
        check("XDP_UMEM_PGOFF_FILL_RING", AfXdp.XDP_UMEM_PGOFF_FILL_RING);
        check("XDP_UMEM_PGOFF_COMPLETION_RING", AfXdp.XDP_UMEM_PGOFF_COMPLETION_RING);
        check("XSK_UNALIGNED_BUF_OFFSET_SHIFT", UmemLayout.UNALIGNED_OFFSET_SHIFT);
        check("XSK_UNALIGNED_BUF_ADDR_MASK", UmemLayout.UNALIGNED_ADDR_MASK);
        check("PROT_READ", AfXdp.PROT_READ);
        check("PROT_WRITE", AfXdp.PROT_WRITE);
        check("MAP_SHARED", AfXdp.MAP_SHARED);
        check("MAP_PRIVATE", AfXdp.MAP_PRIVATE);
        check("MAP_ANONYMOUS", AfXdp.MAP_ANONYMOUS);
        check("MAP_POPULATE", AfXdp.MAP_POPULATE);
        check("MAP_HUGETLB", AfXdp.MAP_HUGETLB);
        check("MSG_DONTWAIT", AfXdp.MSG_DONTWAIT);
        check("POLLIN", AfXdp.POLLIN);
        check("POLLOUT", AfXdp.POLLOUT);
        check("POLLERR", AfXdp.POLLERR);
        check("SOL_SOCKET", AfXdp.SOL_SOCKET);
        check("SO_BUSY_POLL", AfXdp.SO_BUSY_POLL);
        check("SO_PREFER_BUSY_POLL", AfXdp.SO_PREFER_BUSY_POLL);
        check("SO_BUSY_POLL_BUDGET", AfXdp.SO_BUSY_POLL_BUDGET);
        check("PAGE_SIZE", UmemLayout.PAGE_SIZE);
    }

    @Test
    void sockaddrXdp() {
        check("sizeof sockaddr_xdp", SockaddrXdpLayout.SIZE);
        check("sockaddr_xdp.sxdp_family", SockaddrXdpLayout.FAMILY_OFFSET);
        check("sockaddr_xdp.sxdp_flags", SockaddrXdpLayout.FLAGS_OFFSET);
        check("sockaddr_xdp.sxdp_ifindex", SockaddrXdpLayout.IFINDEX_OFFSET);
        check("sockaddr_xdp.sxdp_queue_id", SockaddrXdpLayout.QUEUE_ID_OFFSET);
        check("sockaddr_xdp.sxdp_shared_umem_fd", SockaddrXdpLayout.SHARED_UMEM_FD_OFFSET);
    }

    @Test
    void umemReg() {
        check("xdp_umem_reg.addr", XdpUmemRegLayout.ADDR_OFFSET);
        check("xdp_umem_reg.len", XdpUmemRegLayout.LEN_OFFSET);
        check("xdp_umem_reg.chunk_size", XdpUmemRegLayout.CHUNK_SIZE_OFFSET);
        check("xdp_umem_reg.headroom", XdpUmemRegLayout.HEADROOM_OFFSET);
        check("xdp_umem_reg.flags", XdpUmemRegLayout.FLAGS_OFFSET);
        // tx_metadata_len (6.8+) is newer than the Debian header; the live tests pass all 32 bytes.
        checkIfKnown("xdp_umem_reg.tx_metadata_len", XdpUmemRegLayout.TX_METADATA_LEN_OFFSET);
        checkIfKnown("sizeof xdp_umem_reg", XdpUmemRegLayout.SIZE);
        assertEquals(32, XdpUmemRegLayout.SIZE);
        assertEquals(XdpUmemRegLayout.FLAGS_OFFSET + 4, XdpUmemRegLayout.TX_METADATA_LEN_OFFSET);
    }

    @Test
    void mmapOffsets() {
        check("sizeof xdp_ring_offset", XdpMmapOffsetsLayout.RING_OFFSET_SIZE);
        check("xdp_ring_offset.producer", XdpMmapOffsetsLayout.PRODUCER_OFFSET);
        check("xdp_ring_offset.consumer", XdpMmapOffsetsLayout.CONSUMER_OFFSET);
        check("xdp_ring_offset.desc", XdpMmapOffsetsLayout.DESC_OFFSET);
        check("xdp_ring_offset.flags", XdpMmapOffsetsLayout.FLAGS_OFFSET);
        check("sizeof xdp_mmap_offsets", XdpMmapOffsetsLayout.SIZE);
        check("xdp_mmap_offsets.rx", XdpMmapOffsetsLayout.RX_OFFSET);
        check("xdp_mmap_offsets.tx", XdpMmapOffsetsLayout.TX_OFFSET);
        check("xdp_mmap_offsets.fr", XdpMmapOffsetsLayout.FILL_OFFSET);
        check("xdp_mmap_offsets.cr", XdpMmapOffsetsLayout.COMPLETION_OFFSET);
    }

    @Test
    void descriptors() {
        check("sizeof xdp_desc", XdpDescLayout.SIZE);
        check("xdp_desc.addr", XdpDescLayout.ADDR_OFFSET);
        check("xdp_desc.len", XdpDescLayout.LEN_OFFSET);
        check("xdp_desc.options", XdpDescLayout.OPTIONS_OFFSET);
        assertEquals(8, XdpDescLayout.UMEM_ADDR_SIZE);
        assertEquals(1 << XdpDescLayout.SHIFT, XdpDescLayout.SIZE);
    }

    @Test
    void statisticsAndOptions() {
        check("sizeof xdp_statistics", XdpStatisticsLayout.SIZE);
        check("xdp_statistics.rx_dropped", XdpStatisticsLayout.RX_DROPPED_OFFSET);
        check("xdp_statistics.rx_invalid_descs", XdpStatisticsLayout.RX_INVALID_DESCS_OFFSET);
        check("xdp_statistics.tx_invalid_descs", XdpStatisticsLayout.TX_INVALID_DESCS_OFFSET);
        check("xdp_statistics.rx_ring_full", XdpStatisticsLayout.RX_RING_FULL_OFFSET);
        check("xdp_statistics.rx_fill_ring_empty_descs", XdpStatisticsLayout.RX_FILL_RING_EMPTY_DESCS_OFFSET);
        check("xdp_statistics.tx_ring_empty_descs", XdpStatisticsLayout.TX_RING_EMPTY_DESCS_OFFSET);
        check("sizeof xdp_options", XdpOptionsLayout.SIZE);
        check("xdp_options.flags", XdpOptionsLayout.FLAGS_OFFSET);
    }

    /** The kernel ring header as measured on 6.18 (interfaces.md 4.2); XskSocketTest checks the live offsets. */
    @Test
    void ringHeaderMatchesTheMeasuredKernelLayout() {
        assertEquals(0, XdpRingLayout.STANDARD_PRODUCER_OFFSET);
        assertEquals(128, XdpRingLayout.STANDARD_CONSUMER_OFFSET);
        assertEquals(196, XdpRingLayout.STANDARD_FLAGS_OFFSET);
        assertEquals(320, XdpRingLayout.STANDARD_DESC_OFFSET);
        assertEquals(320 + 64L * 16, XdpRingLayout.standard(XdpDescLayout.SIZE, 64).mmapLength());
    }

    @Test
    void pollfd() {
        check("sizeof pollfd", XskSocket.POLLFD_LAYOUT.byteSize());
        check("pollfd.events", XskSocket.POLLFD_EVENTS);
        check("pollfd.revents", XskSocket.POLLFD_REVENTS);
        assertEquals(0, XskSocket.POLLFD_FD);
    }
}
