package io.splitplane.cni;

import io.splitplane.kernel.netns.NamespaceNotFoundException;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.KernelException;
import java.nio.file.Path;

/** Opening {@code CNI_NETNS}, with the CNI error each way it can fail. */
final class PodNamespace {
    private PodNamespace() {
    }

    /**
     * Opens the container's namespace for ADD or CHECK.
     *
     * @throws CniException 3 if it does not exist, 4 if the path is not a network namespace
     */
    static NetNamespace open(String netns, Invocation.Command command) {
        try {
            return NetNamespace.openPath(Path.of(netns));
        } catch (NamespaceNotFoundException e) {
            throw new CniException(CniException.UNKNOWN_CONTAINER, "the container's network namespace does not exist",
                    "CNI_NETNS " + netns + " not found (" + command + ")", e);
        } catch (KernelException e) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "invalid environment variable CNI_NETNS",
                    "CNI_NETNS " + netns + " is not a network namespace: " + e.getMessage(), e);
        }
    }

    /** Opens it for DEL or GC, where a namespace that is gone is no error: null then. */
    static NetNamespace openIfPresent(String netns) {
        if (netns == null || netns.isEmpty()) {
            return null;
        }
        try {
            return NetNamespace.openPath(Path.of(netns));
        } catch (KernelException e) {
            return null;
        }
    }
}
