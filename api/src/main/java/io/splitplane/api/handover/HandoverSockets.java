package io.splitplane.api.handover;

import io.splitplane.api.InvalidConfigException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where the hand-over sockets of {@link XskMapHandover#UDS} pools live: one directory per allocation
 * on the host, mounted into the container at a path derived from the pool alone, so the pod finds
 * its socket without being told.
 *
 * @param hostRoot the host directory holding one directory per allocation; default
 *                 {@value #DEFAULT_HOST_ROOT}
 */
public record HandoverSockets(Path hostRoot) {
    public static final String DEFAULT_HOST_ROOT = "/run/splitplane/handover";
    /** Where a container finds one directory per uds pool it was allocated from. */
    public static final Path CONTAINER_ROOT = Path.of("/run/splitplane/handover");
    private static final Pattern ALLOCATION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    public HandoverSockets {
        if (hostRoot == null) {
            hostRoot = Path.of(DEFAULT_HOST_ROOT);
        }
        if (!hostRoot.isAbsolute()) {
            throw InvalidConfigException.field("hostRoot", "must be an absolute path, was '" + hostRoot + "'");
        }
    }

    /** The host directory of one allocation (the device plugin names allocations). */
    public Path hostDirectory(String allocation) {
        if (allocation == null || !ALLOCATION.matcher(allocation).matches()) {
            throw InvalidConfigException.field("allocation", "not a valid allocation id: '" + allocation + "'");
        }
        return hostRoot.resolve(allocation);
    }

    /** The socket of one allocation on the host. */
    public Path hostSocket(String allocation) {
        return hostDirectory(allocation).resolve(XskMapPaths.SOCKET_FILE);
    }

    /** The directory a container sees for a pool's allocation. */
    public static Path containerDirectory(String pool) {
        if (pool == null || pool.isEmpty() || pool.contains("/") || pool.equals(".") || pool.equals("..")) {
            throw InvalidConfigException.field("pool", "not a valid pool name: '" + pool + "'");
        }
        return CONTAINER_ROOT.resolve(pool);
    }

    /** The socket a container connects to for a pool's allocation. */
    public static Path containerSocket(String pool) {
        return containerDirectory(pool).resolve(XskMapPaths.SOCKET_FILE);
    }

    /**
     * The environment variable holding {@link #containerSocket}: {@code AFXDP_HANDOVER_<POOL>}, the
     * pool name turned into a variable name as in {@link XskMapPaths#devicesEnvName}.
     */
    public static String socketEnvName(String pool) {
        if (pool == null || pool.isEmpty()) {
            throw InvalidConfigException.field("pool", "must not be empty");
        }
        return "AFXDP_HANDOVER_" + pool.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    }
}
