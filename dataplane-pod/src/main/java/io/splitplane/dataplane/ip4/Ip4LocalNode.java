package io.splitplane.dataplane.ip4;

import io.splitplane.dataplane.channel.ChannelRxNode;
import io.splitplane.dataplane.channel.Channels;
import io.splitplane.dataplane.channel.UdpHeaderLayout;
import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.punt.PuntNode;
import io.splitplane.dataplane.punt.PuntReason;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;

/**
 * {@code ip4-local}: packets for a local address (CNDP's {@code ip4_proto} + {@code udp_input}). UDP
 * to an (address, port) a channel is bound to goes to {@code channel-rx} ({@code meta0} = channel id,
 * {@code meta1} = payload length); everything else is the kernel's: UDP to a port no channel has
 * ({@code punt/no-channel}: a kernel socket, or ICMP port unreachable), and every other protocol
 * ({@code punt/local-not-udp}: ping, TCP, OSPF to the router, ...). Fragments never get here
 * ({@code ip4-input} punts them), nor options, so the UDP header is 20 bytes in.
 *
 * <pre>
 *   next:   0 drop   1 channel-rx   2 punt
 *   errors: bad-udp-length
 * </pre>
 */
public final class Ip4LocalNode extends Node {
    public static final String NAME = "ip4-local";
    public static final int NEXT_CHANNEL = 1;
    public static final int NEXT_PUNT = 2;
    public static final int ERR_BAD_UDP_LENGTH = 0;

    private static final ValueLayout.OfInt BE32 = Ip4HeaderLayout.FIELD_U32;
    private static final ValueLayout.OfShort BE16 = Ip4HeaderLayout.FIELD_U16;
    private static final int L4 = (int) Ip4HeaderLayout.MIN_SIZE;

    private final Channels channels;
    private MemorySegment packets;

    public Ip4LocalNode(final Channels channels) {
        super(NAME, List.of(DROP_NODE, ChannelRxNode.NAME, PuntNode.NAME), List.of(
                NodeError.of("bad-udp-length", "UDP length below 8 or beyond the IPv4 packet")));
        this.channels = Objects.requireNonNull(channels, "channels");
    }

    @Override
    protected void onBuild(final Graph graph) {
        packets = graph.memory().segment();
    }

    @Override
    protected int process(final PacketVector v, final int[] nexts) {
        final MemorySegment m = packets;
        final long[] addr = v.addr;
        final int[] len = v.len;
        for (int i = 0, n = v.count(); i < n; i++) {
            final long a = addr[i];
            final int protocol = m.get(ValueLayout.JAVA_BYTE, a + Ip4HeaderLayout.PROTOCOL_OFFSET) & 0xFF;
            if (protocol != UdpHeaderLayout.PROTOCOL) {
                v.meta1[i] = PuntReason.LOCAL_NOT_UDP;
                nexts[i] = NEXT_PUNT;
                continue;
            }
            final int udpLength = m.get(BE16, a + L4 + UdpHeaderLayout.LENGTH_OFFSET) & 0xFFFF;
            if (udpLength < UdpHeaderLayout.SIZE || udpLength > len[i] - L4) {
                nexts[i] = drop(ERR_BAD_UDP_LENGTH);
                continue;
            }
            final int id = channels.lookup(m.get(BE32, a + Ip4HeaderLayout.DESTINATION_OFFSET),
                    m.get(BE16, a + L4 + UdpHeaderLayout.DEST_OFFSET) & 0xFFFF);
            if (id < 0) {
                v.meta1[i] = PuntReason.NO_CHANNEL;
                nexts[i] = NEXT_PUNT;
            } else {
                v.meta0[i] = id;
                v.meta1[i] = udpLength - UdpHeaderLayout.SIZE;
                nexts[i] = NEXT_CHANNEL;
            }
        }
        return PER_PACKET;
    }
}
