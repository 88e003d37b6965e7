package io.splitplane.api.deviceplugin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.handover.XskMapHandover;
import java.util.regex.Pattern;

/**
 * One pool: a set of netdevs advertised as the extended resource {@code afxdp/<name>}.
 *
 * @param name       the resource's name part: 1-63 letters, digits, '-', '_' or '.', starting and
 *                   ending with a letter or digit (Kubernetes' qualified-name rule)
 * @param devices    which netdevs belong to the pool
 * @param classifier the rules the CNI loads into the classifier of this pool's netdevs; default none
 *                   (every packet to the kernel)
 * @param handover   how a pod gets the XSKMAP: {@code pinned} (mount of the pin directory) or
 *                   {@code uds} (fd over a unix socket, for unprivileged pods); default pinned
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolConfig(String name, DeviceSelector devices, ClassifierRules classifier, XskMapHandover handover) {
    /** Every pool is advertised under this resource domain. */
    public static final String RESOURCE_DOMAIN = "afxdp";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?");

    public PoolConfig {
        if (name == null || name.isEmpty()) {
            throw InvalidConfigException.field("name", "must be set");
        }
        if (!NAME.matcher(name).matches()) {
            throw InvalidConfigException.field("name", "must be 1-63 letters, digits, '-', '_' or '.', starting and"
                    + " ending with a letter or digit, was '" + name + "'");
        }
        if (devices == null) {
            throw InvalidConfigException.field("devices", "must be set (which netdevs belong to the pool)");
        }
        if (classifier == null) {
            classifier = ClassifierRules.none();
        }
        if (handover == null) {
            handover = XskMapHandover.PINNED;
        }
    }

    /** A pool of the selected devices, no classifier rules, pinned hand-over. */
    public static PoolConfig of(String name, DeviceSelector devices) {
        return new PoolConfig(name, devices, null, null);
    }

    public PoolConfig withDevices(DeviceSelector value) {
        return new PoolConfig(name, value, classifier, handover);
    }

    public PoolConfig withClassifier(ClassifierRules value) {
        return new PoolConfig(name, devices, value, handover);
    }

    public PoolConfig withHandover(XskMapHandover value) {
        return new PoolConfig(name, devices, classifier, value);
    }

    /** The extended resource name the kubelet sees: {@code afxdp/<name>}. */
    public String resourceName() {
        return RESOURCE_DOMAIN + "/" + name;
    }

    /** The device plugin's socket file name in the kubelet's device-plugins directory. */
    public String endpoint() {
        return RESOURCE_DOMAIN + "-" + name + ".sock";
    }
}
