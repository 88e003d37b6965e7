package io.splitplane.api.deviceplugin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.ClassifierRules;

/**
 * What one node does differently for one pool. Each field that is set replaces the pool's own.
 *
 * @param pool       the pool's name; must be one of the config's pools
 * @param devices    this node's selector for the pool (its NICs have other names or addresses), or null
 * @param classifier this node's classifier rules for the pool, or null
 * @param disabled   true: the pool is not advertised on this node at all; null means false
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolOverride(String pool, DeviceSelector devices, ClassifierRules classifier,
                           @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean disabled) {
    public PoolOverride {
        if (pool == null || pool.isEmpty()) {
            throw InvalidConfigException.field("pool", "must be set (the name of the pool to override)");
        }
        if (disabled == null) {
            disabled = false;
        }
        if (disabled && (devices != null || classifier != null)) {
            throw InvalidConfigException.field("disabled", "a disabled pool takes no 'devices' or 'classifier'");
        }
        if (!disabled && devices == null && classifier == null) {
            throw InvalidConfigException.field("", "overrides nothing: set devices, classifier or disabled");
        }
    }

    /** The pool as this node sees it. */
    PoolConfig applyTo(PoolConfig base) {
        return new PoolConfig(base.name(), devices == null ? base.devices() : devices,
                classifier == null ? base.classifier() : classifier, base.handover());
    }
}
