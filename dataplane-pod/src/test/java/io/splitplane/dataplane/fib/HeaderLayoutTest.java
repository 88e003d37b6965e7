package io.splitplane.dataplane.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.splitplane.kernel.testing.CHeaderProbe;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The header layouts ip4-rewrite uses, against the system's C headers. */
class HeaderLayoutTest {
    @Test
    void shouldMatchStructIphdrAndEthhdr() {
        final Map<String, Long> c = CHeaderProbe.evaluate("#include <linux/ip.h>\n#include <linux/if_ether.h>\n",
                List.of("sizeof(struct iphdr)", "offsetof(struct iphdr, tot_len)", "offsetof(struct iphdr, id)",
                        "offsetof(struct iphdr, frag_off)", "offsetof(struct iphdr, ttl)",
                        "offsetof(struct iphdr, protocol)", "offsetof(struct iphdr, check)",
                        "offsetof(struct iphdr, saddr)", "offsetof(struct iphdr, daddr)",
                        "sizeof(struct ethhdr)", "offsetof(struct ethhdr, h_dest)",
                        "offsetof(struct ethhdr, h_source)", "offsetof(struct ethhdr, h_proto)", "ETH_P_IP"));
        assertEquals(c.get("sizeof(struct iphdr)"), Ip4HeaderLayout.MIN_SIZE);
        assertEquals(c.get("offsetof(struct iphdr, tot_len)"), Ip4HeaderLayout.TOTAL_LENGTH_OFFSET);
        assertEquals(c.get("offsetof(struct iphdr, id)"), Ip4HeaderLayout.ID_OFFSET);
        assertEquals(c.get("offsetof(struct iphdr, frag_off)"), Ip4HeaderLayout.FRAGMENT_OFFSET);
        assertEquals(c.get("offsetof(struct iphdr, ttl)"), Ip4HeaderLayout.TTL_OFFSET);
        assertEquals(c.get("offsetof(struct iphdr, protocol)"), Ip4HeaderLayout.PROTOCOL_OFFSET);
        assertEquals(c.get("offsetof(struct iphdr, check)"), Ip4HeaderLayout.CHECKSUM_OFFSET);
        assertEquals(c.get("offsetof(struct iphdr, saddr)"), Ip4HeaderLayout.SOURCE_OFFSET);
        assertEquals(c.get("offsetof(struct iphdr, daddr)"), Ip4HeaderLayout.DESTINATION_OFFSET);
        assertEquals(c.get("sizeof(struct ethhdr)"), EthernetHeaderLayout.SIZE);
        assertEquals(c.get("offsetof(struct ethhdr, h_dest)"), EthernetHeaderLayout.DESTINATION_OFFSET);
        assertEquals(c.get("offsetof(struct ethhdr, h_source)"), EthernetHeaderLayout.SOURCE_OFFSET);
        assertEquals(c.get("offsetof(struct ethhdr, h_proto)"), EthernetHeaderLayout.ETHER_TYPE_OFFSET);
        assertEquals(c.get("ETH_P_IP"), (long) EthernetHeaderLayout.ETHER_TYPE_IPV4);
    }
}
