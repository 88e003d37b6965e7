package io.splitplane.operator.pool;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.splitplane.operator.rules.RuleSpec;
import java.util.List;
import java.util.Map;

/** What an {@link XdpPool} asks for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class XdpPoolSpec {
    @JsonPropertyDescription("Labels a node must carry to contribute devices; absent or empty for every node.")
    private Map<String, String> nodeSelector;

    @Required
    @JsonPropertyDescription("Which netdevs of a selected node join the pool.")
    private NetdevSelector devices;

    @Default("pinned")
    @JsonPropertyDescription("How a pod gets a netdev's XSKMAP: pinned (bpffs bind mount, the pod needs CAP_BPF) or"
            + " uds (the device plugin passes the map fd over a unix socket).")
    private Handover handover;

    @Size(max = 64)
    @JsonPropertyDescription("Classifier rules for networks on this pool that set none, in priority order.")
    private List<RuleSpec> rules;

    public XdpPoolSpec() {
    }

    public Map<String, String> getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public NetdevSelector getDevices() {
        return devices;
    }

    public void setDevices(NetdevSelector devices) {
        this.devices = devices;
    }

    public Handover getHandover() {
        return handover;
    }

    public void setHandover(Handover handover) {
        this.handover = handover;
    }

    public List<RuleSpec> getRules() {
        return rules;
    }

    public void setRules(List<RuleSpec> rules) {
        this.rules = rules;
    }
}
