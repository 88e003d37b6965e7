package io.splitplane.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * What the operator is told at start (environment or {@code application.properties}, prefix
 * {@code splitplane}); the chart sets these from its values.
 */
@ConfigMapping(prefix = "splitplane")
public interface OperatorSettings {
    /** The namespace the operator runs in: the device plugin's DaemonSet and ConfigMap go there. */
    String namespace();

    /**
     * The operator's own Deployment. The device-plugin DaemonSet and ConfigMap name it as their owner,
     * so uninstalling the chart (which deletes the Deployment) lets the garbage collector remove them.
     */
    Optional<String> ownerDeployment();

    Images images();

    interface Images {
        /** The device plugin; its image also carries the CNI launcher, jar and AOT cache to install. */
        String devicePlugin();

        /** The dataplane (CNET graph) a Dataplane resource runs. */
        String dataplane();

        /** The FRR sidecar of a Dataplane that asks for one. */
        String frr();

        @WithDefault("IfNotPresent")
        String pullPolicy();
    }
}
