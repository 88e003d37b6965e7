package io.splitplane.deviceplugin.handover;

/** Whether a pod holds a device of a resource: the PodResources API in production, a table in tests. */
@FunctionalInterface
public interface PodCheck {
    /**
     * @throws RuntimeException when the answer cannot be had (the kubelet is unreachable)
     */
    boolean holds(String namespace, String pod, String resource, String deviceId);
}
