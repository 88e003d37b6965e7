package io.splitplane.kernel.device;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

/**
 * The structs of the {@code SIOCETHTOOL} ioctl ({@code linux/if.h}, {@code linux/ethtool.h}).
 *
 * <pre>
 * struct ifreq (40 B):            char ifr_name[16] @0 | union { void *ifr_data @16 ... } (24 B)
 * struct ethtool_drvinfo (196 B): u32 cmd @0 | char driver[32] @4 | char version[32] @36 |
 *                                 char fw_version[32] @68 | char bus_info[32] @100 |
 *                                 char erom_version[32] @132 | char reserved2[12] @164 |
 *                                 u32 n_priv_flags @176 | n_stats @180 | testinfo_len @184 |
 *                                 eedump_len @188 | regdump_len @192
 * struct ethtool_channels (36 B): u32 cmd @0 | max_rx @4 | max_tx @8 | max_other @12 |
 *                                 max_combined @16 | rx_count @20 | tx_count @24 |
 *                                 other_count @28 | combined_count @32
 * </pre>
 */
final class EthtoolLayout {
    static final long SIOCETHTOOL = 0x8946;
    static final int ETHTOOL_GDRVINFO = 0x00000003;
    static final int ETHTOOL_GCHANNELS = 0x0000003c;
    static final int IFNAMSIZ = 16;
    static final int ETHTOOL_STRING = 32;

    static final StructLayout IFREQ = structLayout(
            sequenceLayout(IFNAMSIZ, JAVA_BYTE).withName("ifr_name"),
            ADDRESS.withName("ifr_data"),
            paddingLayout(16));

    static final StructLayout DRVINFO = structLayout(
            JAVA_INT.withName("cmd"),
            sequenceLayout(ETHTOOL_STRING, JAVA_BYTE).withName("driver"),
            sequenceLayout(ETHTOOL_STRING, JAVA_BYTE).withName("version"),
            sequenceLayout(ETHTOOL_STRING, JAVA_BYTE).withName("fw_version"),
            sequenceLayout(ETHTOOL_STRING, JAVA_BYTE).withName("bus_info"),
            sequenceLayout(ETHTOOL_STRING, JAVA_BYTE).withName("erom_version"),
            sequenceLayout(12, JAVA_BYTE).withName("reserved2"),
            JAVA_INT.withName("n_priv_flags"),
            JAVA_INT.withName("n_stats"),
            JAVA_INT.withName("testinfo_len"),
            JAVA_INT.withName("eedump_len"),
            JAVA_INT.withName("regdump_len"));

    static final StructLayout CHANNELS = structLayout(
            JAVA_INT.withName("cmd"),
            JAVA_INT.withName("max_rx"),
            JAVA_INT.withName("max_tx"),
            JAVA_INT.withName("max_other"),
            JAVA_INT.withName("max_combined"),
            JAVA_INT.withName("rx_count"),
            JAVA_INT.withName("tx_count"),
            JAVA_INT.withName("other_count"),
            JAVA_INT.withName("combined_count"));

    static final long IFR_DATA = IFREQ.byteOffset(PathElement.groupElement("ifr_data"));
    static final long DRV_CMD = DRVINFO.byteOffset(PathElement.groupElement("cmd"));
    static final long DRV_DRIVER = DRVINFO.byteOffset(PathElement.groupElement("driver"));
    static final long DRV_VERSION = DRVINFO.byteOffset(PathElement.groupElement("version"));
    static final long DRV_FW_VERSION = DRVINFO.byteOffset(PathElement.groupElement("fw_version"));
    static final long DRV_BUS_INFO = DRVINFO.byteOffset(PathElement.groupElement("bus_info"));

    static final long CH_CMD = CHANNELS.byteOffset(PathElement.groupElement("cmd"));
    static final long CH_RX_COUNT = CHANNELS.byteOffset(PathElement.groupElement("rx_count"));
    static final long CH_TX_COUNT = CHANNELS.byteOffset(PathElement.groupElement("tx_count"));
    static final long CH_COMBINED_COUNT = CHANNELS.byteOffset(PathElement.groupElement("combined_count"));

    private EthtoolLayout() {
    }
}
