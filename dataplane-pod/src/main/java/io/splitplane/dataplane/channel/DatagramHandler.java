package io.splitplane.dataplane.channel;

import java.lang.foreign.MemorySegment;

/**
 * The callback form of a channel (CNDP's {@code chnl_cb_t}): called on the graph worker for each
 * datagram that arrives, with the payload where it lies in the UMEM, so nothing is copied. The
 * bytes are valid only during the call: the frame goes back to its pool when the call returns.
 *
 * <p>It runs on the worker's hot path: it must not block, and should not allocate. A reply is sent
 * with {@link UdpChannel#send} from inside the call (a callback channel is used from its worker only).
 * An exception is caught and counted ({@code channel-rx/handler-failed}).
 */
@FunctionalInterface
public interface DatagramHandler {
    /**
     * @param channel       the channel the datagram arrived on
     * @param memory        the packet memory (UMEM) of the worker
     * @param offset        where the payload starts in {@code memory}
     * @param length        payload bytes
     * @param sourceAddress sender's IPv4 address (host order)
     * @param sourcePort    sender's UDP port
     */
    void onDatagram(UdpChannel channel, MemorySegment memory, long offset, int length, int sourceAddress,
                    int sourcePort);
}
