package io.splitplane.dataplane.port;

import io.splitplane.api.handover.XskMapPaths;
import io.splitplane.bpf.Classifier;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the pinned XSKMAP of the classifier attached to a netdev of this namespace, among the
 * per-netdev pin directories mounted into the pod ({@link XskMapPaths#CONTAINER_ROOT}: one directory
 * per allocated netdev, named by its host name). The pod knows its netdev by the name the CNI plugin
 * gave it, the directories by the host's; what they share is the attachment the classifier records
 * (ifindex and network namespace), so the match is made on that.
 */
public final class XskMapLocator {
    private XskMapLocator() {
    }

    /**
     * The XSKMAP pin of the classifier attached to {@code netdev}, searched under {@code root}.
     *
     * @throws IllegalArgumentException if no directory there holds a classifier attached to it
     */
    public static Path find(Path root, String netdev) {
        int ifindex;
        try (RtnetlinkSocket rt = RtnetlinkSocket.open()) {
            ifindex = rt.ifindex(netdev);
        }
        List<String> seen = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> dirs = Files.list(root)) {
                for (Path dir : dirs.sorted().toList()) {
                    if (!Files.exists(dir.resolve(Classifier.PROGRAM_PIN))) {
                        continue;
                    }
                    seen.add(dir.getFileName().toString());
                    try (Classifier c = Classifier.openPinned(dir)) {
                        if (c.isAttachedHere(ifindex)) {
                            return dir.resolve(Classifier.XSKS_MAP_PIN);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        throw new IllegalArgumentException("xskMap auto: no classifier under " + root + " is attached to netdev '"
                + netdev + "' (ifindex " + ifindex + ") of this namespace; pinned classifiers found: " + seen);
    }
}
