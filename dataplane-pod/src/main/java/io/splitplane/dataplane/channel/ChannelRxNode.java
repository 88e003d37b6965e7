package io.splitplane.dataplane.channel;

import io.splitplane.dataplane.fib.Ip4HeaderLayout;
import io.splitplane.dataplane.graph.Graph;
import io.splitplane.dataplane.graph.Node;
import io.splitplane.dataplane.graph.NodeError;
import io.splitplane.dataplane.graph.PacketVector;
import io.splitplane.dataplane.port.Port;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;

/**
 * {@code channel-rx}: delivers datagrams {@code ip4-local} matched to a channel ({@code meta0} = the
 * channel's id, {@code meta1} = payload length; {@code addr} at the IPv4 header, 20 bytes, UDP after
 * it). A pull channel gets the frame on its receive ring for this worker (the frame stays in the
 * UMEM; the application copies the payload out and gives the frame back); a callback channel's
 * handler is called here with the payload in place, and the frame is freed when it returns.
 *
 * <pre>
 *   next:   0 drop (unused: every packet is consumed here)
 *   errors: closed, ring-full, handler-failed
 * </pre>
 */
public final class ChannelRxNode extends Node {
    public static final String NAME = "channel-rx";
    public static final int ERR_CLOSED = 0;
    public static final int ERR_RING_FULL = 1;
    public static final int ERR_HANDLER_FAILED = 2;

    private static final int L4 = (int) Ip4HeaderLayout.MIN_SIZE;
    private static final int PAYLOAD = L4 + UdpHeaderLayout.SIZE;
    private static final ValueLayout.OfInt BE32 = Ip4HeaderLayout.FIELD_U32;
    private static final ValueLayout.OfShort BE16 = Ip4HeaderLayout.FIELD_U16;

    private final Channels channels;
    private final int worker;
    private Port[] ports = new Port[0];
    private MemorySegment packets;

    /**
     * @param worker this graph's worker index in {@code channels}
     */
    public ChannelRxNode(final Channels channels, final int worker) {
        super(NAME, List.of(DROP_NODE), List.of(
                NodeError.of("closed", "datagram for a channel that was closed meanwhile"),
                NodeError.of("ring-full", "channel's receive ring full (application too slow): dropped"),
                NodeError.of("handler-failed", "channel's handler threw")));
        this.channels = Objects.requireNonNull(channels, "channels");
        this.worker = Objects.checkIndex(worker, channels.workers());
    }

    @Override
    protected void onBuild(final Graph graph) {
        ports = graph.ports().toArray(Port[]::new);
        packets = graph.memory().segment();
    }

    @Override
    protected int process(final PacketVector v, final int[] nexts) {
        final long[] addr = v.addr;
        final int[] port = v.port;
        final int[] id = v.meta0;
        final int[] length = v.meta1;
        final int w = worker;
        for (int i = 0, n = v.count(); i < n; i++) {
            final UdpChannel ch = channels.slot(id[i]);
            final long a = addr[i];
            final int p = port[i];
            if (ch == null || ch.isClosing()) {
                countError(ERR_CLOSED, 1);
                ports[p].free(a);
                continue;
            }
            final ChannelSide side = ch.sides[w];
            final int len = length[i];
            final DatagramHandler h = ch.handler();
            if (h != null) {
                side.add(ChannelSide.W_RX_PACKETS, 1);
                side.add(ChannelSide.W_RX_BYTES, len);
                try {
                    h.onDatagram(ch, packets, a + PAYLOAD, len, packets.get(BE32, a + Ip4HeaderLayout.SOURCE_OFFSET),
                            packets.get(BE16, a + L4 + UdpHeaderLayout.SOURCE_OFFSET) & 0xFFFF);
                } catch (RuntimeException e) {
                    countError(ERR_HANDLER_FAILED, 1);
                }
                ports[p].free(a);
            } else if (side.rx.offer(a + PAYLOAD, (long) p << 32 | len)) {
                side.add(ChannelSide.W_RX_PACKETS, 1);
                side.add(ChannelSide.W_RX_BYTES, len);
            } else {
                side.add(ChannelSide.W_RX_DROPPED, 1);
                countError(ERR_RING_FULL, 1);
                ports[p].free(a);
            }
        }
        return CONSUMED;
    }
}
