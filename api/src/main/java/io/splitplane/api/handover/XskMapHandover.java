package io.splitplane.api.handover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.splitplane.api.InvalidConfigException;
import java.util.Arrays;
import java.util.Locale;

/** How a pod reaches the XSKMAP of a netdev it was allocated. JSON: {@code "pinned"} or {@code "uds"}. */
public enum XskMapHandover {
    /** The pin directory is bind-mounted into the container; the pod opens the pinned map (needs CAP_BPF). */
    PINNED,
    /** The device plugin passes the map fd over a unix socket with SCM_RIGHTS, after checking the peer. */
    UDS;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static XskMapHandover fromJson(String text) {
        for (XskMapHandover mode : values()) {
            if (mode.json().equals(text)) {
                return mode;
            }
        }
        throw InvalidConfigException.field("", "unknown XSKMAP hand-over '" + text + "' (expected one of "
                + Arrays.stream(values()).map(XskMapHandover::json).toList() + ")");
    }
}
