/**
 * Unix domain sockets of the kind the kernel module's users need and the JDK does not offer:
 * {@link io.splitplane.kernel.unix.SeqpacketSocket} ({@code SOCK_SEQPACKET}) with descriptor passing
 * (SCM_RIGHTS) and peer credentials (SO_PEERCRED), the transport of the XSKMAP hand-over to pods.
 */
package io.splitplane.kernel.unix;
