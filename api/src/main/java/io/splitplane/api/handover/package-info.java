/**
 * How an AF_XDP netdev's XSKMAP travels from the infrastructure to the pod that was given the netdev.
 *
 * <p>The device plugin advertises each netdev under its host name as the device ID, so the
 * {@code deviceID} that Multus hands to the CNI is that name. The kubelet calls Allocate before the
 * sandbox exists and the CNI runs after, so both sides derive the same directory from the netdev
 * name alone ({@link XskMapPaths}): the CNI pins the classifier's XSKMAP there, the device plugin
 * mounts it into the container. Unprivileged pods, which may not open pinned BPF objects, get the map
 * fd over a unix socket instead ({@link XskMapHandover#UDS}).
 */
package io.splitplane.api.handover;
