package io.splitplane.operator.dataplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What a {@link Dataplane} asks for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.cpus) || size(self.cpus) == (has(self.workers) ? self.workers : 1)",
        message = "cpus lists one CPU per worker")
public class DataplaneSpec {
    public static final int DEFAULT_METRICS_PORT = 9100;

    @Required
    @Size(min = 1, max = 16)
    @JsonPropertyDescription("The XdpNetworks to attach, one netdev and graph port each.")
    private List<NetworkAttachment> networks;

    @Default("1")
    @Min(0)
    @Max(64)
    @JsonPropertyDescription("Pods to run.")
    private Integer replicas;

    @Default("1")
    @Min(1)
    @Max(64)
    @JsonPropertyDescription("Graph worker threads per pod; the ports are shared out among them.")
    private Integer workers;

    @Size(min = 1, max = 64)
    @JsonPropertyDescription("The CPU each worker is pinned to, one per worker; absent: no pinning.")
    private List<@Min(0) @Max(1023) Integer> cpus;

    @JsonPropertyDescription("An FRR sidecar (the vRouter's control plane), configured from a ConfigMap.")
    private FrrSidecar frr;

    @Default("9100")
    @Min(1024)
    @Max(65535)
    @JsonPropertyDescription("The port of the Prometheus metrics endpoint.")
    private Integer metricsPort;

    @JsonPropertyDescription("The dataplane image; default the operator's.")
    private String image;

    public DataplaneSpec() {
    }

    public List<NetworkAttachment> getNetworks() {
        return networks;
    }

    public void setNetworks(List<NetworkAttachment> networks) {
        this.networks = networks;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public Integer getWorkers() {
        return workers;
    }

    public void setWorkers(Integer workers) {
        this.workers = workers;
    }

    public List<Integer> getCpus() {
        return cpus;
    }

    public void setCpus(List<Integer> cpus) {
        this.cpus = cpus;
    }

    public FrrSidecar getFrr() {
        return frr;
    }

    public void setFrr(FrrSidecar frr) {
        this.frr = frr;
    }

    public Integer getMetricsPort() {
        return metricsPort;
    }

    public void setMetricsPort(Integer metricsPort) {
        this.metricsPort = metricsPort;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }
}
