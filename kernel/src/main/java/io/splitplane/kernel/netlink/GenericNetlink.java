package io.splitplane.kernel.netlink;

/**
 * Generic netlink constants ({@code linux/genetlink.h}): the controller family that maps family
 * names to their dynamic ids, and the header that follows {@code nlmsghdr} in every message.
 * Checked against the C headers by {@code LayoutTest}.
 */
final class GenericNetlink {
    /** {@code struct genlmsghdr}: u8 cmd, u8 version, u16 reserved. */
    static final int HEADER_SIZE = 4;
    static final int HEADER_CMD = 0;
    static final int HEADER_VERSION = 1;

    static final int GENL_ID_CTRL = 0x10;
    static final int CTRL_CMD_GETFAMILY = 3;
    static final int CTRL_ATTR_FAMILY_ID = 1;
    static final int CTRL_ATTR_FAMILY_NAME = 2;
    static final int CTRL_ATTR_MAX = 10;

    private GenericNetlink() {
    }

    /** Starts a request of {@code command} to {@code family} (an id the controller gave). */
    static void begin(MessageWriter w, int family, int flags, int command, int version) {
        w.begin(family, flags);
        int h = w.reserve(HEADER_SIZE);
        w.putU8(h + HEADER_CMD, command);
        w.putU8(h + HEADER_VERSION, version);
    }
}
