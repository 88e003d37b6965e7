package io.splitplane.kernel.unix;

/** The process at the other end of a unix socket, as the kernel recorded it at connect time ({@code SO_PEERCRED}). */
public record PeerCredentials(int pid, int uid, int gid) {
}
