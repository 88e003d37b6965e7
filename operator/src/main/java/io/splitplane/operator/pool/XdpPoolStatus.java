package io.splitplane.operator.pool;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed of an {@link XdpPool}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class XdpPoolStatus {
    private Long observedGeneration;
    private String resourceName;
    private Integer nodeCount;
    private Long devices;
    private Long allocatable;
    private List<NodeDevices> nodes;
    private List<Condition> conditions;

    public XdpPoolStatus() {
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

    public Integer getNodeCount() {
        return nodeCount;
    }

    public void setNodeCount(Integer nodeCount) {
        this.nodeCount = nodeCount;
    }

    public Long getDevices() {
        return devices;
    }

    public void setDevices(Long devices) {
        this.devices = devices;
    }

    public Long getAllocatable() {
        return allocatable;
    }

    public void setAllocatable(Long allocatable) {
        this.allocatable = allocatable;
    }

    public List<NodeDevices> getNodes() {
        return nodes;
    }

    public void setNodes(List<NodeDevices> nodes) {
        this.nodes = nodes;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
