package io.splitplane.operator.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.splitplane.api.cni.XdpAttach;

/** {@link XdpAttach} as the CRD schema's enum (no fields: the schema generator looks at those). */
public enum XdpAttachMode {
    @JsonProperty("native")
    NATIVE,
    @JsonProperty("generic")
    GENERIC,
    @JsonProperty("auto")
    AUTO;

    public XdpAttach contract() {
        return switch (this) {
            case NATIVE -> XdpAttach.NATIVE;
            case GENERIC -> XdpAttach.GENERIC;
            case AUTO -> XdpAttach.AUTO;
        };
    }
}
