package io.splitplane.kernel.netlink;

import java.util.Objects;

/**
 * The XDP programs attached to a link ({@code IFLA_XDP}). Program ids are 0 when absent.
 *
 * @param mode              the attach mode
 * @param programId         {@code IFLA_XDP_PROG_ID}: the program in single-mode attachments (0 for MULTI)
 * @param driverProgramId   {@code IFLA_XDP_DRV_PROG_ID}
 * @param genericProgramId  {@code IFLA_XDP_SKB_PROG_ID}
 * @param offloadProgramId  {@code IFLA_XDP_HW_PROG_ID}
 */
public record XdpState(XdpAttachMode mode, int programId, int driverProgramId, int genericProgramId,
                       int offloadProgramId) {
    /** No XDP program attached. */
    public static final XdpState NONE = new XdpState(XdpAttachMode.NONE, 0, 0, 0, 0);

    public XdpState {
        Objects.requireNonNull(mode, "mode");
    }

    public boolean isAttached() {
        return mode != XdpAttachMode.NONE;
    }
}
