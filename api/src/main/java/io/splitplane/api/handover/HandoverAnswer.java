package io.splitplane.api.handover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.splitplane.api.InvalidConfigException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The device plugin's answer to a {@link HandoverRequest}: one SOCK_SEQPACKET message, JSON. With
 * {@link Status#OK} the message carries the XSKMAP fd as SCM_RIGHTS ancillary data; otherwise it
 * carries no fd and {@code reason} says why.
 *
 * <pre>{@code {"status": "ok", "netdev": "ens1f0"}}
 * {"status": "refused", "netdev": "ens1f0", "reason": "pod default/other does not hold ens1f0 of afxdp/fast"}}</pre>
 *
 * @param status what happened
 * @param netdev the netdev asked for (null when the request could not be read)
 * @param reason why not, for REFUSED and ERROR; null for OK
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HandoverAnswer(Status status, String netdev, String reason) {
    /** The outcome of a request. JSON: {@code "ok"}, {@code "refused"}, {@code "error"}. */
    public enum Status {
        /** The XSKMAP fd travels with this message. */
        OK,
        /** The peer is not entitled to the netdev (not the allocated pod, or another netdev). */
        REFUSED,
        /** The request was malformed, or the device plugin could not open the map. */
        ERROR;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Status fromJson(String text) {
            for (Status s : values()) {
                if (s.json().equals(text)) {
                    return s;
                }
            }
            throw InvalidConfigException.field("", "unknown hand-over status '" + text + "' (expected one of "
                    + Arrays.stream(values()).map(Status::json).toList() + ")");
        }
    }

    public HandoverAnswer {
        if (status == null) {
            throw InvalidConfigException.field("status", "must be set");
        }
        if (status == Status.OK && reason != null) {
            throw InvalidConfigException.field("reason", "an ok answer has no reason");
        }
        if (status != Status.OK && (reason == null || reason.isEmpty())) {
            throw InvalidConfigException.field("reason", "a " + status.json() + " answer must say why");
        }
    }

    public static HandoverAnswer ok(String netdev) {
        return new HandoverAnswer(Status.OK, netdev, null);
    }

    public static HandoverAnswer refused(String netdev, String reason) {
        return new HandoverAnswer(Status.REFUSED, netdev, reason);
    }

    public static HandoverAnswer error(String netdev, String reason) {
        return new HandoverAnswer(Status.ERROR, netdev, reason);
    }
}
