package io.splitplane.kernel.unix;

import io.splitplane.kernel.sys.FileDescriptor;
import java.util.Optional;

/**
 * One message received on a {@link SeqpacketSocket}: its bytes and, when the sender attached one
 * with SCM_RIGHTS, the descriptor the kernel installed for the receiver, now owned by the caller.
 *
 * @param truncated the message was longer than the receive buffer (MSG_TRUNC) and was cut
 */
public record SeqpacketMessage(byte[] data, Optional<FileDescriptor> fd, boolean truncated) {
}
