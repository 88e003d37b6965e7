package io.splitplane.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.cni.ipam.IpamDelegate;
import io.splitplane.cni.state.AttachmentState;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Undoing one attachment, for DEL and GC: detach and unpin the classifier, return the netdev to the
 * host under its name, release the addresses. Best effort in the spec's sense: what is already gone
 * (the namespace, the link, the pins, the lease) counts as done; a step that fails does not stop the
 * others, and the failures are reported together so the runtime retries.
 */
final class Teardown {
    private static final System.Logger LOG = System.getLogger(Teardown.class.getName());

    private final List<String> failures = new ArrayList<>();
    private final StepTimes times = new StepTimes();

    /** Runs every step for {@code state}; {@code ipam} and {@code ipamConfig} may be null (no IPAM). */
    void run(AttachmentState state, RtnetlinkSocket host, NetNamespace hostNs, IpamDelegate ipam,
             ObjectNode ipamConfig) {
        // The delegate's DEL needs neither the link nor the pod: its exec runs while the kernel detaches
        // the classifier and brings the device home.
        BackgroundStep<Void> release = ipam == null ? null : BackgroundStep.start("ipam-del", () -> {
            ipam.del(ipamConfig, state.containerId(), state.ifname());
            return null;
        });
        try {
            NetNamespace podNs = PodNamespace.openIfPresent(state.netns());
            try {
                if (state.pinDir() != null) {
                    step("detach and unpin the classifier", () -> PodClassifier.remove(Path.of(state.pinDir()), podNs,
                            host));
                    times.mark("classifier");
                }
                if (state.device() != null) {
                    step("return " + state.device() + " to the host", () -> {
                        if (!NetdevHandover.moveOut(host, hostNs, podNs, state)) {
                            LOG.log(Level.INFO, () -> state.device() + " of " + state.containerId()
                                    + " is gone (its namespace was deleted, or the link was)");
                        }
                    });
                    times.mark("home");
                }
            } finally {
                if (podNs != null) {
                    podNs.close();
                }
            }
        } finally {
            // Whatever happened above, the delegate's DEL is waited for: it must not outlive the call.
            if (release != null) {
                step("release the addresses (IPAM " + ipam.type() + " DEL)", release::join);
                times.mark("ipam");
            }
        }
    }

    private void step(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "could not " + what + ": " + e.getMessage(), e);
            failures.add(what + ": " + e.getMessage());
        }
    }

    /** Where the steps spent their time, for the log line. */
    StepTimes times() {
        return times;
    }

    boolean failed() {
        return !failures.isEmpty();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }
}
