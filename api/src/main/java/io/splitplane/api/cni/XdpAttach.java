package io.splitplane.api.cni;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.splitplane.api.InvalidConfigException;
import java.util.Arrays;
import java.util.Locale;

/** How the classifier is attached to the pod's netdev. JSON: {@code "native"}, {@code "generic"}, {@code "auto"}. */
public enum XdpAttach {
    /** In the driver; fails on a netdev whose driver has no XDP support. */
    NATIVE,
    /** In the generic stack, after the skb is built: works everywhere, slower, no zero-copy. */
    GENERIC,
    /** Native where the driver supports it, generic otherwise. */
    AUTO;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static XdpAttach fromJson(String text) {
        for (XdpAttach mode : values()) {
            if (mode.json().equals(text)) {
                return mode;
            }
        }
        throw InvalidConfigException.field("", "unknown XDP attach mode '" + text + "' (expected one of "
                + Arrays.stream(values()).map(XdpAttach::json).toList() + ")");
    }
}
