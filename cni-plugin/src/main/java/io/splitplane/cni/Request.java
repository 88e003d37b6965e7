package io.splitplane.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.cni.ipam.IpamDelegate;
import io.splitplane.cni.ipam.VersionCache;
import io.splitplane.cni.state.StateStore;

/**
 * One call: the environment, the network config as a record and as the JSON that came in (which
 * delegates receive unchanged), and the version to answer in.
 */
record Request(Invocation invocation, NetworkConfig config, ObjectNode stdin, String version) {
    /** The IPAM delegate, or null when the config has no {@code ipam}. */
    IpamDelegate ipam(StateStore store) {
        if (config.ipam() == null) {
            return null;
        }
        return IpamDelegate.find(config.ipam().type(), invocation.requirePath("to find IPAM plugin '"
                + config.ipam().type() + "'"), new VersionCache(store.directory().resolve("delegate-versions.json")), invocation.environment());
    }

    String containerId() {
        return invocation.containerId();
    }

    String ifname() {
        return invocation.ifname();
    }
}
