package io.splitplane.dataplane.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.splitplane.kernel.testing.CHeaderProbe;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link UdpHeaderLayout} against {@code <linux/udp.h>}. */
class ChannelLayoutsTest {
    @Test
    void udpHeaderMatchesStructUdphdr() {
        Map<String, Long> c = CHeaderProbe.evaluate("#include <linux/udp.h>\n#include <netinet/in.h>\n",
                List.of("sizeof(struct udphdr)", "offsetof(struct udphdr, source)", "offsetof(struct udphdr, dest)",
                        "offsetof(struct udphdr, len)", "offsetof(struct udphdr, check)", "IPPROTO_UDP"));
        assertEquals(c.get("sizeof(struct udphdr)"), (long) UdpHeaderLayout.SIZE);
        assertEquals(c.get("offsetof(struct udphdr, source)"), UdpHeaderLayout.SOURCE_OFFSET);
        assertEquals(c.get("offsetof(struct udphdr, dest)"), UdpHeaderLayout.DEST_OFFSET);
        assertEquals(c.get("offsetof(struct udphdr, len)"), UdpHeaderLayout.LENGTH_OFFSET);
        assertEquals(c.get("offsetof(struct udphdr, check)"), UdpHeaderLayout.CHECKSUM_OFFSET);
        assertEquals(c.get("IPPROTO_UDP"), (long) UdpHeaderLayout.PROTOCOL);
    }
}
