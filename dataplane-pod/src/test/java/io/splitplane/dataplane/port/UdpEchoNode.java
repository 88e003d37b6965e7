package io.splitplane.dataplane.port;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Turns Ethernet/IPv4/UDP packets to {@code port} around in place (swaps MACs, addresses, ports:
 * both checksums stay valid) and sends them to edge 1; drops anything else as {@code not-echo}.
 */
final class UdpEchoNode extends Node {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int ETH = 14;
    private static final int IP = 20;
    static final int ERR_NOT_ECHO = 0;

    private final int port;
    private MemorySegment m;

    UdpEchoNode(String next, int port) {
        super("udp-echo", List.of(DROP_NODE, next), List.of(NodeError.of("not-echo", "not IPv4/UDP to the echo port")));
        this.port = port;
    }

    @Override
    protected void onBuild(Graph graph) {
        m = graph.memory().segment();
    }

    @Override
    protected int process(PacketVector v, int[] nexts) {
        final MemorySegment s = m;
        for (int i = 0, n = v.count(); i < n; i++) {
            final long off = v.addr[i];
            if (v.len[i] < ETH + IP + 8 || s.get(U16, off + 12) != 0x0800 || s.get(JAVA_BYTE, off + ETH) != 0x45
                    || s.get(JAVA_BYTE, off + ETH + 9) != 17 || (s.get(U16, off + ETH + IP + 2) & 0xffff) != port) {
                nexts[i] = drop(ERR_NOT_ECHO);
                continue;
            }
            for (int k = 0; k < 6; k++) {
                final byte d = s.get(JAVA_BYTE, off + k);
                s.set(JAVA_BYTE, off + k, s.get(JAVA_BYTE, off + 6 + k));
                s.set(JAVA_BYTE, off + 6 + k, d);
            }
            final long ip = off + ETH;
            final int src = s.get(U32, ip + 12);
            s.set(U32, ip + 12, s.get(U32, ip + 16));
            s.set(U32, ip + 16, src);
            final long udp = ip + IP;
            final short sport = s.get(U16, udp);
            s.set(U16, udp, s.get(U16, udp + 2));
            s.set(U16, udp + 2, sport);
            nexts[i] = 1;
        }
        return PER_PACKET;
    }
}
