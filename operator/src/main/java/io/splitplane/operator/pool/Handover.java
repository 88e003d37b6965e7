package io.splitplane.operator.pool;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.splitplane.api.handover.XskMapHandover;

/** {@link XskMapHandover} as the CRD schema's enum (no fields: the schema generator looks at those). */
public enum Handover {
    @JsonProperty("pinned")
    PINNED,
    @JsonProperty("uds")
    UDS;

    public XskMapHandover contract() {
        return switch (this) {
            case PINNED -> XskMapHandover.PINNED;
            case UDS -> XskMapHandover.UDS;
        };
    }
}
