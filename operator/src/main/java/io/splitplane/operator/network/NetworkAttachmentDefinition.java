package io.splitplane.operator.network;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The Network Plumbing Working Group's NetworkAttachmentDefinition ({@code k8s.cni.cncf.io/v1}), which
 * Multus reads: its CRD comes with Multus, not with splitplane.
 */
@Group(NetworkAttachmentDefinition.GROUP)
@Version("v1")
@Kind("NetworkAttachmentDefinition")
@Plural("network-attachment-definitions")
public class NetworkAttachmentDefinition extends CustomResource<NetworkAttachmentDefinition.Spec, Void>
        implements Namespaced {
    public static final String GROUP = "k8s.cni.cncf.io";
    /** The annotation through which Multus finds the device-plugin resource to take a device from. */
    public static final String RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName";

    /** {@code spec.config}: the CNI network configuration as a JSON string. */
    public static class Spec {
        private String config;

        public Spec() {
        }

        public Spec(String config) {
            this.config = config;
        }

        public String getConfig() {
            return config;
        }

        public void setConfig(String config) {
            this.config = config;
        }
    }
}
