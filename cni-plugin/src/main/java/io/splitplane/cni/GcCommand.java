package io.splitplane.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.cni.Attachment;
import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.cni.ipam.IpamDelegate;
import io.splitplane.cni.state.AttachmentState;
import io.splitplane.cni.state.StateStore;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * GC: every attachment of this network that the runtime no longer lists in
 * {@code cni.dev/valid-attachments} (or {@code cni.dev/attachments}) is torn down as DEL would, with the
 * network config it was added with; then GC goes on to the IPAM delegate if it knows the command.
 * Continues past failures and reports them all.
 */
final class GcCommand {
    private static final System.Logger LOG = System.getLogger(GcCommand.class.getName());

    private GcCommand() {
    }

    static void run(Request request) {
        NetworkConfig config = request.config();
        List<Attachment> keep = config.attachmentsToKeep();
        if (keep == null) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "GC needs the attachments to keep",
                    "the request has neither '" + NetworkConfig.VALID_ATTACHMENTS + "' nor '"
                            + NetworkConfig.ATTACHMENTS + "'; nothing was removed");
        }
        Set<String> valid = new HashSet<>();
        keep.forEach(a -> valid.add(a.containerID() + "@" + a.ifname()));
        List<String> failures = new ArrayList<>();
        try (StateStore store = StateStore.lock(config.effectiveStateDir());
             NetNamespace hostNs = NetNamespace.current();
             RtnetlinkSocket host = RtnetlinkSocket.open()) {
            IpamDelegate ipam = request.ipam(store);
            for (AttachmentState s : store.all()) {
                if (!config.name().equals(s.network()) || valid.contains(s.containerId() + "@" + s.ifname())) {
                    continue;
                }
                ObjectNode added = s.config() instanceof ObjectNode o ? atRequestVersion(o, request) : request.stdin();
                Teardown teardown = new Teardown();
                teardown.run(s, host, hostNs, ipam, added);
                if (teardown.failed()) {
                    failures.add(s.containerId() + "/" + s.ifname() + ": " + String.join("; ", teardown.failures()));
                } else {
                    store.delete(s.containerId(), s.ifname());
                    LOG.log(Level.INFO, () -> "GC removed " + s.containerId() + "/" + s.ifname() + " ("
                            + s.device() + ")");
                }
            }
            if (ipam != null) {
                try {
                    ipam.gc(request.stdin());
                } catch (CniException e) {
                    failures.add("IPAM " + ipam.type() + " GC: " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new CniException(CniException.KERNEL_FAILURE, "GC is incomplete", String.join(" | ", failures));
        }
    }

    /** The config of the ADD, at the version of this request (which the delegate is spoken to in). */
    private static ObjectNode atRequestVersion(ObjectNode added, Request request) {
        ObjectNode c = added.deepCopy();
        c.put("cniVersion", request.version());
        return c;
    }
}
