package io.splitplane.kernel.xdp;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct xdp_options}, read with {@code getsockopt(SOL_XDP, XDP_OPTIONS)}.
 *
 * <pre>
 *  0                               4
 * +-------------------------------+
 * | flags u32 (XDP_OPTIONS_*)     |
 * +-------------------------------+
 * </pre>
 */
public final class XdpOptionsLayout {
    public static final StructLayout LAYOUT =
            MemoryLayout.structLayout(JAVA_INT.withName("flags")).withName("xdp_options");
    public static final long FLAGS_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("flags"));
    public static final long SIZE = LAYOUT.byteSize();

    private XdpOptionsLayout() {
    }
}
