package io.splitplane.api.dataplane;

import io.splitplane.api.InvalidConfigException;

/**
 * What the dataplane mirrors from elsewhere into its tables.
 *
 * <pre>{@code "mirror": {"kernel": true, "receiveBufferBytes": 8388608}}</pre>
 *
 * @param kernel             follow the kernel of the dataplane's network namespace (the netlink agent):
 *                           links, IPv4 addresses, main-table routes, nexthop objects and neighbours of
 *                           the ports' netdevs. Static routes and neighbours of the config are then
 *                           not allowed: the kernel is the one source of truth. Default false.
 * @param receiveBufferBytes the agent's netlink receive buffer; 0 (default) means 8 MiB. A bigger one
 *                           makes resynchronisations (after lost notifications) rarer under route storms.
 */
public record MirrorConfig(Boolean kernel, Integer receiveBufferBytes) {
    /** The agent's receive buffer when none is configured. */
    public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 8 << 20;

    public MirrorConfig {
        if (kernel == null) {
            kernel = false;
        }
        if (receiveBufferBytes == null || receiveBufferBytes == 0) {
            receiveBufferBytes = DEFAULT_RECEIVE_BUFFER_BYTES;
        }
        if (receiveBufferBytes < 4096 || receiveBufferBytes > (1 << 30)) {
            throw InvalidConfigException.field("receiveBufferBytes", "must be 4096-1073741824 (or 0 for the default), was "
                    + receiveBufferBytes);
        }
    }

    /** Whether the kernel is mirrored. */
    public boolean mirrorsKernel() {
        return kernel;
    }
}
