package io.splitplane.api.cni;

import io.splitplane.api.InvalidConfigException;

/**
 * One attachment the runtime still considers valid, as listed in a GC request's
 * {@code cni.dev/valid-attachments}.
 *
 * @param containerID the container ID of the ADD
 * @param ifname      the interface name of the ADD
 */
public record Attachment(String containerID, String ifname) {
    public Attachment {
        if (containerID == null || containerID.isEmpty()) {
            throw InvalidConfigException.field("containerID", "must be set");
        }
        if (ifname == null || ifname.isEmpty()) {
            throw InvalidConfigException.field("ifname", "must be set");
        }
    }
}
