package io.splitplane.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.splitplane.api.cni.NetworkConfig;
import io.splitplane.cni.ipam.IpamDelegate;
import io.splitplane.cni.result.CniResult;
import io.splitplane.cni.result.InterfaceResult;
import io.splitplane.cni.result.IpResult;
import io.splitplane.cni.state.AttachmentState;
import io.splitplane.cni.state.StateStore;
import io.splitplane.bpf.Classifier;
import io.splitplane.bpf.ClassifierSpares;
import io.splitplane.kernel.netlink.Link;
import io.splitplane.kernel.netlink.Route;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ADD: the pool netdev named by {@code deviceID} goes into {@code CNI_NETNS} as {@code CNI_IFNAME},
 * with the MTU, up, the IPAM delegate's addresses and routes, and the classifier attached and pinned.
 * Every step registers its undo; a failure anywhere rolls all of them back (link home under its name,
 * addresses released, program detached, pins and state removed) before the error is returned.
 */
final class AddCommand {
    private static final System.Logger LOG = System.getLogger(AddCommand.class.getName());

    private AddCommand() {
    }

    static ObjectNode run(Request request) {
        StepTimes times = new StepTimes();
        // The kernel's verifier is ADD's longest step and needs neither device nor pod: with no spare
        // loaded ahead of time (by the device plugin), start it first.
        ClassifierSpares spares = ClassifierSpares.under(request.config().pinPaths().bpffsRoot());
        BackgroundStep<Classifier> classifier = PodClassifier.preloadUnlessSpare(
                request.config().effectiveClassifier(), spares);
        boolean[] handedOver = {false};
        try {
            return run(request, spares, classifier, handedOver, times);
        } finally {
            if (!handedOver[0] && classifier != null) {
                PodClassifier.discard(classifier);
            }
        }
    }

    private static ObjectNode run(Request request, ClassifierSpares spares, BackgroundStep<Classifier> classifier,
                                  boolean[] handedOver, StepTimes times) {
        NetworkConfig config = request.config();
        String device = config.device().orElseThrow(() -> new CniException(CniException.INVALID_NETWORK_CONFIG,
                "no device to attach", "the network config has neither 'deviceID' (injected by Multus for a network"
                + " with a k8s.v1.cni.cncf.io/resourceName annotation) nor 'runtimeConfig.deviceID'"));
        String ifname = request.ifname();
        try (StateStore store = StateStore.lock(config.effectiveStateDir());
             NetNamespace hostNs = NetNamespace.current();
             NetNamespace podNs = PodNamespace.open(request.invocation().netns(), request.invocation().command());
             RtnetlinkSocket host = RtnetlinkSocket.open();
             RtnetlinkSocket pod = RtnetlinkSocket.open(podNs)) {
            times.mark("open");
            Optional<AttachmentState> holder = store.holderOf(device);
            if (holder.isPresent()) {
                AttachmentState h = holder.get();
                throw new CniException(CniException.DEVICE_IN_USE, "device " + device + " is in use",
                        "attached to container " + h.containerId() + " as " + h.ifname() + " in " + h.netns()
                                + " (network " + h.network() + ")");
            }
            if (store.read(request.containerId(), ifname).isPresent()) {
                throw new CniException(CniException.INTERFACE_EXISTS, "container " + request.containerId()
                        + " has " + ifname + " already", "ADD twice without DEL in between");
            }
            if (pod.link(ifname).isPresent()) {
                throw new CniException(CniException.INTERFACE_EXISTS, "interface " + ifname + " exists in the"
                        + " container", "CNI_NETNS " + request.invocation().netns() + " has a link named " + ifname);
            }
            Link link = host.link(device).orElseThrow(() -> new CniException(CniException.DEVICE_NOT_FOUND,
                    "device " + device + " not found", "no link named " + device + " in the host network namespace"));
            if (link.xdp().isAttached()) {
                throw new CniException(CniException.DEVICE_IN_USE, "device " + device + " runs an XDP program already",
                        "program id " + link.xdp().programId() + "; splitplane never replaces another program");
            }
            IpamDelegate ipam = request.ipam(store);
            Path pinDir = config.pinPaths().hostDirectory(device);

            AttachmentState state = new AttachmentState(request.containerId(), ifname, request.invocation().netns(),
                    config.name(), device, link.index(), link.mac().map(Object::toString).orElse(null), link.mtu(),
                    link.alias().orElse(""), link.isUp(), pinDir.toString(), AttachmentState.ADDING, null,
                    request.stdin());
            Rollback rollback = new Rollback();
            times.mark("checks");
            try {
                // On record first: a DEL or GC after a crash from here on finds what to undo.
                store.write(state);
                rollback.register("remove the state of " + request.containerId(), () -> store.delete(
                        request.containerId(), ifname));
                // On record before the claim, so that a crash after it leaves the pins to DEL or GC.
                PodClassifier.Claim claim = null;
                if (classifier == null) {
                    claim = PodClassifier.claimAhead(spares, pinDir, config.effectiveClassifier());
                    rollback.register("give back the classifier claimed at " + pinDir, claim::release);
                }

                // The IPAM delegate needs neither the device nor the pod: its exec runs while the kernel
                // moves the device and attaches the classifier. Its undo is registered before it starts
                // (a delegate that fails half-way may hold a lease already) and waits for it to end.
                BackgroundStep<CniResult> ipamAdd = null;
                if (ipam != null) {
                    BackgroundStep<CniResult> started = BackgroundStep.start("ipam-add", () -> ipam.add(request.stdin()));
                    ipamAdd = started;
                    rollback.register("release the addresses (IPAM " + ipam.type() + " DEL)", () -> {
                        started.awaitQuietly();
                        ipam.del(request.stdin(), request.containerId(), ifname);
                    });
                }
                times.mark("state");
                int podIndex = NetdevHandover.moveIn(host, hostNs, podNs, pod, link, state, config.mtu(), rollback, times);

                handedOver[0] = true;
                PodClassifier.Installed installed = PodClassifier.install(classifier, claim,
                        config.effectiveClassifier(), podNs, podIndex, config.effectiveXdpAttach(), pinDir, rollback, times);
                times.mark("attach");

                CniResult ipamResult = ipamAdd == null ? CniResult.empty() : ipamAdd.join();
                times.mark("ipam");
                // The link leaves the pod on rollback, and its addresses and routes with it.
                PodAddressing.addAddresses(pod, podIndex, ipamResult.ips());
                List<Route> routes = PodAddressing.routes(podIndex, ipamResult.ips(), ipamResult.routes());
                PodAddressing.addRoutes(pod, routes);
                times.mark("addresses");

                Link inPod = pod.link(podIndex).orElseThrow(() -> new CniException(CniException.KERNEL_FAILURE,
                        ifname + " vanished from the container during ADD", ""));
                CniResult result = result(request, inPod, ipamResult);
                ObjectNode json = result.toJson(request.version());
                store.write(state.withResult(json));
                rollback.commit();
                times.mark("result");
                LOG.log(Level.INFO, () -> "ADD " + request.containerId() + ": " + device + " is " + ifname + " in "
                        + request.invocation().netns() + ", classifier " + installed.mode()
                        + (installed.spare() ? " (a spare)" : " (loaded)") + " with "
                        + config.effectiveClassifier().rules().size() + " rules, XSKMAP pinned at " + pinDir + "; " + times);
                return json;
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "ADD " + request.containerId() + " failed, rolling back: " + e.getMessage());
                rollback.undo(e);
                throw e;
            }
        }
    }

    /** The full result: the previous one (in a chain) plus our interface and the IPAM addresses on it. */
    private static CniResult result(Request request, Link inPod, CniResult ipam) {
        CniResult prev = CniResult.fromJson(request.config().prevResult(), "prevResult");
        List<InterfaceResult> interfaces = new ArrayList<>(prev.interfaces());
        int index = interfaces.size();
        interfaces.add(new InterfaceResult(inPod.name(), inPod.mac().map(Object::toString).orElse(null), inPod.mtu(),
                request.invocation().netns()));
        List<IpResult> ips = new ArrayList<>(prev.ips());
        for (IpResult ip : ipam.ips()) {
            ips.add(ip.withInterface(index));
        }
        List<io.splitplane.cni.result.RouteResult> routes = new ArrayList<>(prev.routes());
        routes.addAll(ipam.routes());
        return new CniResult(interfaces, ips, routes, ipam.dns() != null ? ipam.dns()
                : request.config().dns() != null ? request.config().dns() : prev.dns());
    }
}
