package io.splitplane.api.dataplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.ClassifierRules;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One dataplane port: AF_XDP sockets on a netdev.
 *
 * @param name       the port's name in routes, neighbours, workers and counters
 *                   ({@code port-rx-<name>}); default: the netdev. 1-32 of {@code [A-Za-z0-9._-]}
 * @param netdev     the network device, in the dataplane's network namespace
 * @param queues     receive queues to bind, one socket each (default {@code [0]}); not empty, no
 *                   duplicates, each 0-255
 * @param mode       copy, zerocopy or auto (default auto)
 * @param busyPoll   busy polling, or null for none
 * @param mac        the source MAC of packets sent on this port, overriding the netdev's address
 * @param classifier standalone mode: the dataplane loads and attaches the XDP classifier to this
 *                   netdev itself with these rules, registers its sockets, and detaches it on
 *                   exit; null when someone else (the CNI plugin) attached it
 * @param tuning     how the port drives its rings; default {@link PortTuning#defaults()}
 * @param xskMap     pod mode: the pinned XSKMAP of the classifier someone else (the CNI plugin)
 *                   attached, e.g. {@code /run/splitplane/afxdp/eth1/xsks_map}
 *                   ({@code XskMapPaths.containerMap}); the dataplane puts its sockets into it, one
 *                   per queue, and takes them out on exit. An absolute path, or {@value #XSK_MAP_AUTO}:
 *                   the one of the classifiers mounted under {@code XskMapPaths.CONTAINER_ROOT} that
 *                   is attached to this netdev (the pod knows its netdev by the name the CNI gave it,
 *                   the pins by the host's name). Not with {@code classifier}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PortConfig(String name, String netdev, List<Integer> queues, PortMode mode, BusyPollConfig busyPoll,
                         String mac, ClassifierRules classifier, PortTuning tuning, String xskMap) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
    private static final Pattern NETDEV = Pattern.compile("[^/\\s:]{1,15}");
    public static final int MAX_QUEUE = 255;
    public static final String XSK_MAP_AUTO = "auto";

    public PortConfig {
        if (netdev == null || netdev.isEmpty()) {
            throw InvalidConfigException.field("netdev", "must be set");
        }
        if (!NETDEV.matcher(netdev).matches()) {
            throw InvalidConfigException.field("netdev", "not a network device name (1-15 characters, no '/', ':'"
                    + " or space): '" + netdev + "'");
        }
        if (name == null) {
            name = netdev;
        }
        if (!NAME.matcher(name).matches()) {
            throw InvalidConfigException.field("name", "must be 1-32 letters, digits, '.', '-' or '_', starting with a"
                    + " letter or digit, was '" + name + "'");
        }
        if (queues == null) {
            queues = List.of(0);
        }
        if (queues.isEmpty()) {
            throw InvalidConfigException.field("queues", "must not be empty; leave it out for [0]");
        }
        var seen = new HashSet<Integer>();
        for (int i = 0; i < queues.size(); i++) {
            Integer q = queues.get(i);
            if (q == null || q < 0 || q > MAX_QUEUE) {
                throw InvalidConfigException.field("queues[" + i + "]", "must be 0-" + MAX_QUEUE + ", was " + q);
            }
            if (!seen.add(q)) {
                throw InvalidConfigException.field("queues[" + i + "]", "queue " + q + " is listed twice");
            }
        }
        queues = List.copyOf(queues);
        if (mode == null) {
            mode = PortMode.AUTO;
        }
        if (mac != null) {
            Ip4Text.mac("mac", mac);
        }
        if (tuning == null) {
            tuning = PortTuning.defaults();
        }
        if (xskMap != null) {
            if (!xskMap.startsWith("/") && !xskMap.equals(XSK_MAP_AUTO)) {
                throw InvalidConfigException.field("xskMap", "must be an absolute path or \"" + XSK_MAP_AUTO
                        + "\", was '" + xskMap + "'");
            }
            if (classifier != null) {
                throw InvalidConfigException.field("xskMap", "a port either attaches its own classifier"
                        + " (classifier) or joins one attached by someone else (xskMap), not both");
            }
        }
    }

    /** A port with the default tuning. */
    public PortConfig(String name, String netdev, List<Integer> queues, PortMode mode, BusyPollConfig busyPoll,
                      String mac, ClassifierRules classifier) {
        this(name, netdev, queues, mode, busyPoll, mac, classifier, null, null);
    }

    /** A port on {@code netdev} queue 0, named after it, mode auto. */
    public static PortConfig of(String netdev) {
        return new PortConfig(null, netdev, null, null, null, null, null, null, null);
    }

    public PortConfig withName(String value) {
        return new PortConfig(value, netdev, queues, mode, busyPoll, mac, classifier, tuning, xskMap);
    }

    public PortConfig withMode(PortMode value) {
        return new PortConfig(name, netdev, queues, value, busyPoll, mac, classifier, tuning, xskMap);
    }

    public PortConfig withClassifier(ClassifierRules value) {
        return new PortConfig(name, netdev, queues, mode, busyPoll, mac, value, tuning, xskMap);
    }

    public PortConfig withXskMap(String value) {
        return new PortConfig(name, netdev, queues, mode, busyPoll, mac, classifier, tuning, value);
    }

    public PortConfig withMac(String value) {
        return new PortConfig(name, netdev, queues, mode, busyPoll, value, classifier, tuning, xskMap);
    }
}
