package io.splitplane.cni.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the plugin remembers of one attachment (container ID + interface name) between ADD and DEL:
 * enough to undo it when the runtime's DEL config, the namespace or the link is gone.
 *
 * @param containerId   {@code CNI_CONTAINERID} of the ADD
 * @param ifname        {@code CNI_IFNAME} of the ADD
 * @param netns         {@code CNI_NETNS} of the ADD
 * @param network       the network name
 * @param device        the netdev's name in the host namespace, which it gets back on DEL
 * @param hostIfindex   its ifindex in the host namespace before ADD
 * @param mac           its MAC, to find it again wherever it is and under whatever name
 * @param originalMtu   its MTU before ADD, restored on DEL
 * @param originalAlias its alias before ADD ({@code IFLA_IFALIAS}), restored on DEL; empty if none
 * @param wasUp         whether it was administratively up before ADD, restored on DEL
 * @param pinDir        where the classifier is pinned (the XSKMAP the pod opens is in there)
 * @param phase         {@link #ADDING} while ADD runs (a crash leaves it so, and DEL or GC undo it),
 *                      {@link #ADDED} once it succeeded
 * @param result        the ADD result, once there is one
 * @param config        the network config of the ADD, for the IPAM DEL that GC runs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AttachmentState(String containerId, String ifname, String netns, String network, String device,
                              int hostIfindex, String mac, int originalMtu, String originalAlias, boolean wasUp,
                              String pinDir,
                              String phase, JsonNode result, JsonNode config) {
    public static final String ADDING = "adding";
    public static final String ADDED = "added";

    public AttachmentState withResult(JsonNode value) {
        return new AttachmentState(containerId, ifname, netns, network, device, hostIfindex, mac, originalMtu,
                originalAlias, wasUp, pinDir, ADDED, value, config);
    }
}
