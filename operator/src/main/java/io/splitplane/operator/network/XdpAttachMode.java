package io.splitplane.operator.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.splitplane.api.cni.XdpAttach;

/** {@link XdpAttach} as the CRD schema's enum. */
public enum XdpAttachMode {
    @JsonProperty("native")
    NATIVE(XdpAttach.NATIVE),
    @JsonProperty("generic")
    GENERIC(XdpAttach.GENERIC),
    @JsonProperty("auto")
    AUTO(XdpAttach.AUTO);

    private final XdpAttach contract;

    XdpAttachMode(XdpAttach contract) {
        this.contract = contract;
    }

    public XdpAttach contract() {
        return contract;
    }
}
