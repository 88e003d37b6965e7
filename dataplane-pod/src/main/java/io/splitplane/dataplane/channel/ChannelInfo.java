package io.splitplane.dataplane.channel;

/**
 * One channel as {@code show channels} prints it: a read-only snapshot, counters summed over the
 * workers.
 *
 * @param id           the channel's descriptor (small integer, like CNDP's {@code cd})
 * @param localAddress bound address ({@code 0.0.0.0} for any, {@code null} if unbound)
 * @param localPort    bound UDP port (0 if unbound)
 * @param mode         {@code pull} (receive/send from an application thread) or {@code callback}
 * @param state        {@code open}, {@code bound}, {@code closing}
 * @param rxPackets    datagrams delivered to the channel
 * @param rxBytes      their payload bytes
 * @param rxDropped    datagrams dropped because the channel's receive ring was full
 * @param txPackets    datagrams the graph sent for it
 * @param txBytes      their payload bytes
 * @param txDropped    datagrams it asked to send that the graph could not (no route, no neighbour)
 * @param rxQueued     datagrams waiting in its receive rings
 */
public record ChannelInfo(int id, String localAddress, int localPort, String mode, String state, long rxPackets,
                          long rxBytes, long rxDropped, long txPackets, long txBytes, long txDropped, int rxQueued) {

    /** One line of {@code show channels}. */
    public String format() {
        return String.format("%4d  udp %15s:%-5d  %-8s %-7s rx %d (%d B, %d dropped, %d queued)  tx %d (%d B, %d dropped)",
                id, localAddress == null ? "*" : localAddress, localPort, mode, state, rxPackets, rxBytes, rxDropped,
                rxQueued, txPackets, txBytes, txDropped);
    }
}
