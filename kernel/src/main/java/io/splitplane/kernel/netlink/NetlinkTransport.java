package io.splitplane.kernel.netlink;

import java.lang.foreign.MemorySegment;

/**
 * What {@link RequestExchange} needs from a socket: send one request, receive one datagram. The
 * seam lets tests drive the request protocol (sequence matching, dump restarts, errors) with
 * crafted kernel replies.
 */
interface NetlinkTransport {
    /** Sends one complete request to the kernel. */
    void send(MemorySegment message);

    /**
     * Blocks for the next datagram and returns it; the segment stays valid until the next call.
     *
     * @throws io.splitplane.kernel.sys.KernelException if the receive fails or times out
     */
    MemorySegment receive();
}
