package io.splitplane.operator.pool;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.splitplane.api.handover.XskMapHandover;

/** {@link XskMapHandover} as the CRD schema's enum. */
public enum Handover {
    @JsonProperty("pinned")
    PINNED(XskMapHandover.PINNED),
    @JsonProperty("uds")
    UDS(XskMapHandover.UDS);

    private final XskMapHandover contract;

    Handover(XskMapHandover contract) {
        this.contract = contract;
    }

    public XskMapHandover contract() {
        return contract;
    }
}
