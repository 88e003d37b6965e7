package io.splitplane.cni;

import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.cni.ipam.IpamDelegate;
import io.splitplane.cni.result.CniResult;
import io.splitplane.cni.result.InterfaceResult;
import io.splitplane.cni.result.IpResult;
import io.splitplane.cni.state.AttachmentState;
import io.splitplane.cni.state.StateStore;
import io.splitplane.kernel.netlink.Link;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CHECK: the attachment is still what ADD made and {@code prevResult} says: the link in the
 * container under its name, up, with its MAC and MTU, the addresses and routes of our interface, and
 * the classifier attached to it with the network's rules; then the IPAM delegate's own CHECK.
 */
final class CheckCommand {
    private CheckCommand() {
    }

    static void run(Request request) {
        NetworkConfig config = request.config();
        if (config.prevResult() == null) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "CHECK needs prevResult",
                    "the network config has no 'prevResult' to check against");
        }
        CniResult prev = CniResult.fromJson(config.prevResult(), "prevResult");
        String ifname = request.ifname();
        try (StateStore store = StateStore.lock(config.effectiveStateDir());
             NetNamespace podNs = PodNamespace.open(request.invocation().netns(), request.invocation().command());
             RtnetlinkSocket pod = RtnetlinkSocket.open(podNs)) {
            AttachmentState state = store.read(request.containerId(), ifname).orElseThrow(() -> failed(
                    "no attachment of container " + request.containerId() + " as " + ifname + " on record"));
            if (!AttachmentState.ADDED.equals(state.phase())) {
                throw failed("the ADD of " + request.containerId() + " did not complete");
            }
            Link link = pod.link(ifname).orElseThrow(() -> failed(ifname + " is not in the container ("
                    + request.invocation().netns() + ")"));
            String tag = NetdevHandover.aliasTag(state.device(), state.containerId());
            if (!link.alias().map(tag::equals).orElse(false)) {
                throw failed(ifname + " in the container is not " + state.device() + " (alias "
                        + link.alias().orElse("none") + ")");
            }
            if (!link.isUp()) {
                throw failed(ifname + " is down");
            }
            if (config.mtu() != null && link.mtu() != config.mtu()) {
                throw failed(ifname + " has MTU " + link.mtu() + ", the network config says " + config.mtu());
            }
            int ours = -1;
            for (int i = 0; i < prev.interfaces().size(); i++) {
                InterfaceResult r = prev.interfaces().get(i);
                if (r.name().equals(ifname) && request.invocation().netns().equals(r.sandbox())) {
                    ours = i;
                    if (r.mac() != null && !link.mac().map(m -> m.toString().equalsIgnoreCase(r.mac())).orElse(false)) {
                        throw failed(ifname + " has MAC " + link.mac().map(Object::toString).orElse("none")
                                + ", prevResult says " + r.mac());
                    }
                }
            }
            if (ours < 0) {
                throw failed("prevResult lists no interface " + ifname + " in " + request.invocation().netns());
            }
            List<IpResult> ips = new ArrayList<>();
            for (IpResult ip : prev.ips()) {
                if (ip.interfaceIndex() != null && ip.interfaceIndex() == ours) {
                    ips.add(ip);
                }
            }
            String missing = PodAddressing.missingAddress(pod, link.index(), ips);
            if (missing != null) {
                throw failed(ifname + " lacks the address " + missing + " of prevResult");
            }
            String route = PodAddressing.missingRoute(pod, PodAddressing.routes(link.index(), ips, prev.routes()));
            if (route != null) {
                throw failed("the container lacks the route " + route + " of prevResult");
            }
            String classifier = PodClassifier.problem(Path.of(state.pinDir()), link, config.effectiveClassifier());
            if (classifier != null) {
                throw failed(classifier);
            }
            IpamDelegate ipam = request.ipam(store);
            if (ipam != null) {
                ipam.check(request.stdin());
            }
        }
    }

    private static CniException failed(String details) {
        return new CniException(CniException.CHECK_FAILED, "CHECK failed", details);
    }
}
