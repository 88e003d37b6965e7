package io.splitplane.deviceplugin.allocation;

/**
 * An Allocate the plugin must refuse, with the gRPC status it maps to: the kubelet fails the pod's
 * start and shows the message.
 */
public final class AllocationException extends RuntimeException {
    /** Why: the request names something the pool does not have, or a device cannot be used now. */
    public enum Reason { INVALID_ARGUMENT, FAILED_PRECONDITION, INTERNAL }

    private final Reason reason;

    public AllocationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public AllocationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
