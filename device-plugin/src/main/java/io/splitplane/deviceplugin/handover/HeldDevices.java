package io.splitplane.deviceplugin.handover;

import java.util.Set;

/** Which device IDs of a resource some pod holds now: the PodResources API in production. */
@FunctionalInterface
public interface HeldDevices {
    /**
     * @throws RuntimeException when the answer cannot be had (the kubelet is unreachable)
     */
    Set<String> held(String resource);
}
