package io.splitplane.cni;

import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.cni.ipam.IpamDelegate;
import io.splitplane.cni.state.AttachmentState;
import io.splitplane.cni.state.StateStore;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import java.lang.System.Logger.Level;

/**
 * DEL: undoes ADD. Succeeds when the namespace, the link, the pins or the state are already gone,
 * and when called again; fails (so that the runtime retries) only when a step that had something to
 * undo could not undo it.
 */
final class DelCommand {
    private static final System.Logger LOG = System.getLogger(DelCommand.class.getName());

    private DelCommand() {
    }

    static void run(Request request) {
        NetworkConfig config = request.config();
        try (StateStore store = StateStore.lock(config.effectiveStateDir());
             NetNamespace hostNs = NetNamespace.current();
             RtnetlinkSocket host = RtnetlinkSocket.open()) {
            IpamDelegate ipam = request.ipam(store);
            AttachmentState state = store.read(request.containerId(), request.ifname()).orElse(null);
            if (state == null) {
                // No ADD on record: never made (an ADD that failed, which the runtime follows with DEL),
                // undone already, or the state was lost. Only what carries this container's mark is
                // touched: a link with our alias tag, and a lease in the delegate. The device's pins are
                // not, since another container may hold the device (the reason the ADD failed).
                String device = config.device().orElse(null);
                state = new AttachmentState(request.containerId(), request.ifname(), request.invocation().netns(),
                        config.name(), device, 0, null, 0, "", false, null, null, null, null);
            }
            Teardown teardown = new Teardown();
            teardown.run(state, host, hostNs, ipam, request.stdin());
            if (teardown.failed()) {
                throw new CniException(CniException.KERNEL_FAILURE, "DEL of " + request.containerId() + "/"
                        + request.ifname() + " is incomplete", String.join("; ", teardown.failures()));
            }
            store.delete(request.containerId(), request.ifname());
            AttachmentState done = state;
            LOG.log(Level.INFO, () -> "DEL " + request.containerId() + ": "
                    + (done.device() == null ? "nothing on record" : done.device() + " returned to the host") + "; "
                    + teardown.times());
        }
    }
}
