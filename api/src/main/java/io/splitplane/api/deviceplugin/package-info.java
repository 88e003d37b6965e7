/**
 * The device plugin's configuration: which netdevs of a node form which {@code afxdp/<pool>}
 * resource, the classifier rules the CNI loads on them, and how a pod receives their XSKMAP. The
 * operator renders it from XdpPool resources into a ConfigMap; the device plugin reads the file and
 * reloads it when it changes. Every record validates itself in its constructor, so a bad config is
 * refused with the JSON path of the field at fault, and nothing of it is applied.
 *
 * <pre>{@code
 * {
 *   "pools": [
 *     {"name": "fast", "devices": {"drivers": ["ice", "mlx5_core"], "withoutAddresses": true,
 *                                  "exclude": {"names": ["eth0"]}},
 *      "classifier": {"rules": [{"name": "udp", "action": "redirect", "protocol": "udp"}]},
 *      "handover": "uds"},
 *     {"name": "test", "devices": {"names": ["veth-dp*"]}}
 *   ],
 *   "nodes": [
 *     {"node": "worker-2", "pools": [{"pool": "fast", "devices": {"pciAddresses": ["0000:18:00.1"]}},
 *                                    {"pool": "test", "disabled": true}]}
 *   ]
 * }
 * }</pre>
 */
package io.splitplane.api.deviceplugin;
