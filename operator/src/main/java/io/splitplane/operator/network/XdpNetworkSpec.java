package io.splitplane.operator.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.splitplane.operator.rules.RuleSpec;
import java.util.List;
import java.util.Map;

/** What an {@link XdpNetwork} asks for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class XdpNetworkSpec {
    @Required
    @Pattern("^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$")
    @JsonPropertyDescription("The XdpPool whose netdevs this network's pods get.")
    private String pool;

    // Free-form: its keys belong to the IPAM plugin. The reconciler checks "type" (the schema cannot:
    // CEL over a schemaless object is not something every API server compiles).
    @PreserveUnknownFields
    @JsonPropertyDescription("The IPAM section handed to the delegated IPAM plugin as it is: type plus that plugin's"
            + " own settings (host-local: ranges, routes, ...). Absent: no addresses.")
    private Map<String, Object> ipam;

    @Min(68)
    @Max(65535)
    @JsonPropertyDescription("MTU of the netdev in the pod; absent keeps the netdev's.")
    private Integer mtu;

    @JsonPropertyDescription("How the classifier is attached: native (default), generic or auto.")
    private XdpAttachMode xdpAttach;

    @Size(max = 64)
    @JsonPropertyDescription("Classifier rules deciding which traffic goes to the user plane, in priority order;"
            + " absent: the pool's rules. Traffic no rule redirects goes to the kernel.")
    private List<RuleSpec> rules;

    public XdpNetworkSpec() {
    }

    public String getPool() {
        return pool;
    }

    public void setPool(String pool) {
        this.pool = pool;
    }

    public Map<String, Object> getIpam() {
        return ipam;
    }

    public void setIpam(Map<String, Object> ipam) {
        this.ipam = ipam;
    }

    public Integer getMtu() {
        return mtu;
    }

    public void setMtu(Integer mtu) {
        this.mtu = mtu;
    }

    public XdpAttachMode getXdpAttach() {
        return xdpAttach;
    }

    public void setXdpAttach(XdpAttachMode xdpAttach) {
        this.xdpAttach = xdpAttach;
    }

    public List<RuleSpec> getRules() {
        return rules;
    }

    public void setRules(List<RuleSpec> rules) {
        this.rules = rules;
    }
}
