package io.splitplane.dataplane.punt;

import io.splitplane.kernel.bpf.TcIngressAttachment;
import io.splitplane.kernel.device.TapDevice;
import io.splitplane.kernel.sys.Libc;

/**
 * The kernel path of one port: a TAP interface whose frames the {@code punt_redirect} tc program
 * moves onto the ingress of the port's real netdev (see {@link PuntPath} for why). Made and owned by
 * {@link PuntPath}.
 */
public final class PortPuntTap implements KernelInjector, AutoCloseable {
    private final String netdev;
    private final int netdevIndex;
    private final TapDevice tap;
    private final TcIngressAttachment filter;
    private final int fd;

    PortPuntTap(String netdev, int netdevIndex, TapDevice tap, TcIngressAttachment filter) {
        this.netdev = netdev;
        this.netdevIndex = netdevIndex;
        this.tap = tap;
        this.filter = filter;
        this.fd = tap.fd();
    }

    @Override
    public long inject(final long address, final int length) {
        return Libc.writeAddress0(fd, address, length);
    }

    /** The real port's netdev. */
    public String netdev() {
        return netdev;
    }

    public int netdevIndex() {
        return netdevIndex;
    }

    /** The TAP the frames are written to. */
    public String tapName() {
        return tap.name();
    }

    public int tapIndex() {
        return tap.ifindex();
    }

    /** Removes the filter, then the TAP (closing its descriptor deletes the interface). */
    @Override
    public void close() {
        try {
            filter.close();
        } finally {
            tap.close();
        }
    }

    @Override
    public String toString() {
        return "PortPuntTap[" + netdev + " <- " + tap.name() + "]";
    }
}
