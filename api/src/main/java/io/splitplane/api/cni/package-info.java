/**
 * The CNI network configuration of the {@code splitplane} plugin: what the operator renders into a
 * NetworkAttachmentDefinition and what the plugin reads on stdin (the same object, plus the keys the
 * runtime and Multus inject: {@code deviceID}, {@code runtimeConfig}, {@code prevResult},
 * {@code cni.dev/valid-attachments}). One record for both sides, so they cannot drift apart.
 *
 * <pre>{@code
 * {"cniVersion": "1.1.0", "name": "fast-net", "type": "splitplane",
 *  "capabilities": {"deviceID": true},
 *  "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.56.0.0/24"}]]},
 *  "mtu": 1500,
 *  "classifier": {"rules": [{"name": "app", "action": "redirect", "protocol": "udp", "dstPorts": "4789"}]}}
 * }</pre>
 */
package io.splitplane.api.cni;
