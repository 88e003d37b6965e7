package io.splitplane.operator.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator made of an {@link XdpNetwork}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class XdpNetworkStatus {
    private Long observedGeneration;
    /** The extended resource a pod on this network requests: {@code afxdp/<pool>}. */
    private String resourceName;
    /** The NetworkAttachmentDefinition written for it, {@code <namespace>/<name>}. */
    private String networkAttachmentDefinition;
    private List<Condition> conditions;

    public XdpNetworkStatus() {
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public String getResourceName() {
        return resourceName;
    }

    public void setResourceName(String resourceName) {
        this.resourceName = resourceName;
    }

    public String getNetworkAttachmentDefinition() {
        return networkAttachmentDefinition;
    }

    public void setNetworkAttachmentDefinition(String networkAttachmentDefinition) {
        this.networkAttachmentDefinition = networkAttachmentDefinition;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
