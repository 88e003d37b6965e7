package io.splitplane.operator.pool;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One node's share of a pool, as the kubelet reports it in the Node's status: {@code devices} is the
 * capacity of {@code afxdp/<pool>}, {@code allocatable} what pods may still be given.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeDevices {
    private String node;
    private Long devices;
    private Long allocatable;

    public NodeDevices() {
    }

    public NodeDevices(String node, long devices, long allocatable) {
        this.node = node;
        this.devices = devices;
        this.allocatable = allocatable;
    }

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
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
}
