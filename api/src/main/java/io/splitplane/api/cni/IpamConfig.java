package io.splitplane.api.cni;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import io.splitplane.api.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code ipam} section: which IPAM plugin the CNI plugin delegates to, and that plugin's own
 * settings, passed through unchanged (the delegate receives the whole network config and reads them
 * itself, e.g. host-local's {@code ranges}, {@code routes}, {@code dataDir}).
 *
 * @param type     the IPAM plugin's binary name, looked up on {@code CNI_PATH}
 * @param settings every other key of the section, as given
 */
public record IpamConfig(String type, @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> settings) {
    /** A plugin binary name: no path separators, nothing that could walk out of a CNI_PATH directory. */
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public IpamConfig {
        if (type == null || type.isEmpty()) {
            throw InvalidConfigException.field("type", "must name the IPAM plugin, e.g. \"host-local\"");
        }
        if (!TYPE.matcher(type).matches()) {
            throw InvalidConfigException.field("type", "not a plugin binary name (letters, digits, '.', '-', '_';"
                    + " no '/'): '" + type + "'");
        }
        settings = settings == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** IPAM by {@code type} with the given settings. */
    public static IpamConfig of(String type, Map<String, JsonNode> settings) {
        return new IpamConfig(type, settings);
    }
}
