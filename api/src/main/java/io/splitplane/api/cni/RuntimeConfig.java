package io.splitplane.api.cni;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code runtimeConfig} the runtime injects: capability arguments for the capabilities the plugin
 * declared. Only {@code deviceID} means something to this plugin; any other capability the
 * NetworkAttachmentDefinition declared is kept, not refused, because the runtime, not the user, wrote it.
 *
 * @param deviceID the device ID Multus resolved for this attachment: the host name of the pool netdev
 * @param other    every other capability argument, as given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RuntimeConfig(String deviceID, @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> other) {
    public RuntimeConfig {
        other = other == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(other));
    }
}
