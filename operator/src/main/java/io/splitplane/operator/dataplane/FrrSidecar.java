package io.splitplane.operator.dataplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The FRR sidecar: the kernel's control plane (OSPF, BGP) next to the graph, in the same network namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FrrSidecar {
    @Required
    @Pattern("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("A ConfigMap in the Dataplane's namespace holding frr.conf and daemons; mounted at /etc/frr.")
    private String configMap;

    @JsonPropertyDescription("The FRR image; default the operator's.")
    private String image;

    public FrrSidecar() {
    }

    public FrrSidecar(String configMap) {
        this.configMap = configMap;
    }

    public String getConfigMap() {
        return configMap;
    }

    public void setConfigMap(String configMap) {
        this.configMap = configMap;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }
}
