package io.splitplane.operator.dataplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** One XdpNetwork a Dataplane attaches to: one netdev in the pod, one port of the graph. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkAttachment {
    @Required
    @Pattern("^[a-z0-9]([a-z0-9.-]{0,30}[a-z0-9])?$")
    @JsonPropertyDescription("The XdpNetwork, in the Dataplane's namespace; also the graph port's name.")
    private String network;

    @Pattern("^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$")
    @JsonPropertyDescription("The netdev's name in the pod; default xdp0, xdp1, ... in list order.")
    private String interfaceName;

    @Size(min = 1, max = 64)
    @JsonPropertyDescription("Receive queues to bind an AF_XDP socket on; default [0].")
    private List<@Min(0) @Max(255) Integer> queues;

    public NetworkAttachment() {
    }

    public NetworkAttachment(String network) {
        this.network = network;
    }

    public String getNetwork() {
        return network;
    }

    public void setNetwork(String network) {
        this.network = network;
    }

    public String getInterfaceName() {
        return interfaceName;
    }

    public void setInterfaceName(String interfaceName) {
        this.interfaceName = interfaceName;
    }

    public List<Integer> getQueues() {
        return queues;
    }

    public void setQueues(List<Integer> queues) {
        this.queues = queues;
    }
}
