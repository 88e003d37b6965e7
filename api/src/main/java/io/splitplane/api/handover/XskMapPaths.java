package io.splitplane.api.handover;

import io.splitplane.api.InvalidConfigException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the CNI pins a netdev's XSKMAP on the host and where the container sees it. Both the CNI
 * (which pins) and the device plugin (which mounts) call these, so the two cannot disagree.
 *
 * @param bpffsRoot a directory on a bpffs mount that holds one directory per pool netdev; default
 *                  {@value #DEFAULT_BPFFS_ROOT}. Tests use a bpffs of their own because
 *                  {@code ip netns exec} hides {@code /sys/fs/bpf}
 */
public record XskMapPaths(Path bpffsRoot) {
    public static final String DEFAULT_BPFFS_ROOT = "/sys/fs/bpf/splitplane";
    /** Where a pinned-mode container finds the directories, one per allocated netdev. */
    public static final Path CONTAINER_ROOT = Path.of("/run/splitplane/afxdp");
    /** The pinned XSKMAP's file name inside a netdev's directory. */
    public static final String MAP_FILE = "xsks_map";
    /** The hand-over socket's file name inside an allocation's directory (UDS mode). */
    public static final String SOCKET_FILE = "xsk.sock";

    public XskMapPaths {
        if (bpffsRoot == null) {
            bpffsRoot = Path.of(DEFAULT_BPFFS_ROOT);
        }
        if (!bpffsRoot.isAbsolute()) {
            throw InvalidConfigException.field("bpffsRoot", "must be an absolute path, was '" + bpffsRoot + "'");
        }
    }

    public static XskMapPaths defaults() {
        return new XskMapPaths(null);
    }

    /** The host directory for one netdev, named by its host name (the device ID, see {@link #bpffsName}). */
    public Path hostDirectory(String netdev) {
        return bpffsRoot.resolve(bpffsName(netdev));
    }

    /**
     * A netdev's directory name on the bpffs: its name, except that bpffs refuses any name with a
     * dot (VLAN netdevs are called eth0.100), so '.' is written {@code %2e} and '%' {@code %25}, which
     * keeps distinct netdevs apart. The container side keeps the plain name.
     */
    public static String bpffsName(String netdev) {
        return requireNetdev(netdev).replace("%", "%25").replace(".", "%2e");
    }

    /** The pinned map on the host. */
    public Path hostMap(String netdev) {
        return hostDirectory(netdev).resolve(MAP_FILE);
    }

    /** The same directory as the container sees it. */
    public static Path containerDirectory(String netdev) {
        return CONTAINER_ROOT.resolve(requireNetdev(netdev));
    }

    /** The pinned map as the container sees it. */
    public static Path containerMap(String netdev) {
        return containerDirectory(netdev).resolve(MAP_FILE);
    }

    /**
     * The environment variable that lists a pool's allocated netdevs (comma-separated):
     * {@code AFXDP_DEVICES_<POOL>}, the pool name upper-cased with every character that may not
     * appear in a variable name turned into {@code _}.
     */
    public static String devicesEnvName(String pool) {
        if (pool == null || pool.isEmpty()) {
            throw InvalidConfigException.field("pool", "must not be empty");
        }
        return "AFXDP_DEVICES_" + pool.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    }

    /** A Linux interface name: 1-15 bytes, no '/', whitespace, ':' or NUL, not "." or "..". */
    static String requireNetdev(String netdev) {
        if (netdev == null || netdev.isEmpty() || netdev.length() > 15 || netdev.equals(".") || netdev.equals("..")
                || !netdev.chars().allMatch(c -> c > 32 && c < 127 && c != '/' && c != ':')) {
            throw InvalidConfigException.field("netdev", "not a valid interface name: '" + netdev + "'");
        }
        return netdev;
    }
}
