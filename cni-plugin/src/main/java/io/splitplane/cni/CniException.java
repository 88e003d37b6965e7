package io.splitplane.cni;

/**
 * A CNI error: what the plugin prints on stdout, as JSON, before exiting non-zero. The codes below
 * 100 are the spec's well-known ones; 100 and up are this plugin's own.
 */
public final class CniException extends RuntimeException {
    public static final int INCOMPATIBLE_VERSION = 1;
    public static final int UNSUPPORTED_FIELD = 2;
    public static final int UNKNOWN_CONTAINER = 3;
    public static final int INVALID_ENVIRONMENT = 4;
    public static final int IO_FAILURE = 5;
    public static final int DECODING_FAILURE = 6;
    public static final int INVALID_NETWORK_CONFIG = 7;
    public static final int TRY_AGAIN_LATER = 11;
    public static final int NOT_AVAILABLE = 50;
    public static final int LIMITED_CONNECTIVITY = 51;
    /** The device named by {@code deviceID} is not a link in the host's network namespace. */
    public static final int DEVICE_NOT_FOUND = 100;
    /** The device is attached to another container already. */
    public static final int DEVICE_IN_USE = 101;
    /** {@code CNI_IFNAME} exists in the container already. */
    public static final int INTERFACE_EXISTS = 102;
    /** The kernel refused a step (netlink, BPF); the message names the step and the errno. */
    public static final int KERNEL_FAILURE = 103;
    /** CHECK found the attachment different from what ADD made. */
    public static final int CHECK_FAILED = 104;
    /** A bug: an exception nobody expected. */
    public static final int INTERNAL = 999;

    private final int code;
    private final String msg;
    private final String details;

    public CniException(int code, String msg, String details) {
        this(code, msg, details, null);
    }

    public CniException(int code, String msg, String details, Throwable cause) {
        super(msg + (details == null || details.isEmpty() ? "" : ": " + details), cause);
        this.code = code;
        this.msg = msg;
        this.details = details == null ? "" : details;
    }

    public int code() {
        return code;
    }

    /** The short message ({@code msg}). */
    public String msg() {
        return msg;
    }

    /** The long message ({@code details}), empty if none. */
    public String details() {
        return details;
    }
}
