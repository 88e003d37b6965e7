package io.splitplane.api.handover;

import io.splitplane.api.InvalidConfigException;
import java.util.regex.Pattern;

/**
 * What a pod sends on its hand-over socket (one SOCK_SEQPACKET message, JSON, at most
 * {@link #MAX_BYTES}): who it is and which netdev's XSKMAP it wants. The device plugin checks the
 * claim against the kubelet's PodResources API (this pod holds this netdev of this pool) before it
 * answers with the fd; see {@link HandoverAnswer}.
 *
 * <pre>{@code {"version": 1, "pod": "app-7d4b9", "namespace": "default", "netdev": "ens1f0"}}</pre>
 *
 * @param version   the protocol version; must be {@link #VERSION} (default)
 * @param pod       the pod's name (a DNS subdomain)
 * @param namespace the pod's namespace (a DNS label)
 * @param netdev    the host name of the netdev, as listed in {@code AFXDP_DEVICES_<POOL>}
 */
public record HandoverRequest(Integer version, String pod, String namespace, String netdev) {
    public static final int VERSION = 1;
    /** The largest message either side sends or accepts. */
    public static final int MAX_BYTES = 1024;
    private static final Pattern POD = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public HandoverRequest {
        if (version == null) {
            version = VERSION;
        }
        if (version != VERSION) {
            throw InvalidConfigException.field("version", "unsupported version " + version + " (supported: "
                    + VERSION + ")");
        }
        if (pod == null || !POD.matcher(pod).matches()) {
            throw InvalidConfigException.field("pod", "not a pod name: '" + pod + "'");
        }
        if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
            throw InvalidConfigException.field("namespace", "not a namespace name: '" + namespace + "'");
        }
        XskMapPaths.requireNetdev(netdev);
    }

    public static HandoverRequest of(String pod, String namespace, String netdev) {
        return new HandoverRequest(VERSION, pod, namespace, netdev);
    }
}
