package io.splitplane.operator.rules;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * A classifier rule as a custom resource spells it: the JSON of {@link io.splitplane.api.classifier.ClassifierRule},
 * with plain strings where the record parses (ports, prefixes, protocol), so that the schema can state
 * what it can and {@link ClassifierRuleList} checks the rest through the record itself.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.laterFragments) || !self.laterFragments || (!has(self.dstPorts) && !has(self.srcPorts))",
        message = "later fragments carry no ports: a rule with dstPorts or srcPorts never matches them")
public class RuleSpec {
    @Required
    @Pattern("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
    @JsonPropertyDescription("Identifies the rule; its counter survives rule updates.")
    private String name;

    @Required
    @JsonPropertyDescription("What happens to a matching packet: redirect (to the user plane), pass (to the kernel) or drop.")
    private RuleAction action;

    @Min(4)
    @Max(6)
    @ValidationRule(value = "self == 4 || self == 6", message = "ipVersion must be 4 or 6")
    @JsonPropertyDescription("4 or 6; absent for both.")
    private Integer ipVersion;

    @Pattern("^(udp|tcp|sctp|icmp|icmpv6|[0-9]{1,3})$")
    @JsonPropertyDescription("udp, tcp, sctp, icmp, icmpv6 or a protocol number; absent for any.")
    private String protocol;

    @Pattern("^[0-9]{1,5}(-[0-9]{1,5})?$")
    @JsonPropertyDescription("Destination port or range, e.g. \"4789\" or \"1000-2000\".")
    private String dstPorts;

    @Pattern("^[0-9]{1,5}(-[0-9]{1,5})?$")
    @JsonPropertyDescription("Source port or range.")
    private String srcPorts;

    @Size(min = 1, max = 64)
    @JsonPropertyDescription("Destination prefixes (IPv4 or IPv6); absent for any address.")
    private List<String> dstPrefixes;

    @Size(min = 1, max = 64)
    @JsonPropertyDescription("Source prefixes; absent for any address.")
    private List<String> srcPrefixes;

    @Min(0)
    @Max(4095)
    @JsonPropertyDescription("The outermost VLAN id; absent for tagged and untagged frames alike.")
    private Integer vlan;

    @JsonPropertyDescription("Whether non-first IP fragments may match (they carry no ports).")
    private Boolean laterFragments;

    public RuleSpec() {
    }

    public RuleSpec(String name, RuleAction action) {
        this.name = name;
        this.action = action;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public RuleAction getAction() {
        return action;
    }

    public void setAction(RuleAction action) {
        this.action = action;
    }

    public Integer getIpVersion() {
        return ipVersion;
    }

    public void setIpVersion(Integer ipVersion) {
        this.ipVersion = ipVersion;
    }

    public String getProtocol() {
        return protocol;
    }

    public void setProtocol(String protocol) {
        this.protocol = protocol;
    }

    public String getDstPorts() {
        return dstPorts;
    }

    public void setDstPorts(String dstPorts) {
        this.dstPorts = dstPorts;
    }

    public String getSrcPorts() {
        return srcPorts;
    }

    public void setSrcPorts(String srcPorts) {
        this.srcPorts = srcPorts;
    }

    public List<String> getDstPrefixes() {
        return dstPrefixes;
    }

    public void setDstPrefixes(List<String> dstPrefixes) {
        this.dstPrefixes = dstPrefixes;
    }

    public List<String> getSrcPrefixes() {
        return srcPrefixes;
    }

    public void setSrcPrefixes(List<String> srcPrefixes) {
        this.srcPrefixes = srcPrefixes;
    }

    public Integer getVlan() {
        return vlan;
    }

    public void setVlan(Integer vlan) {
        this.vlan = vlan;
    }

    public Boolean getLaterFragments() {
        return laterFragments;
    }

    public void setLaterFragments(Boolean laterFragments) {
        this.laterFragments = laterFragments;
    }
}
