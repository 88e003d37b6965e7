package io.splitplane.cni;

import io.splitplane.cni.state.AttachmentState;
import io.splitplane.kernel.netlink.Link;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Moving a pool netdev into a pod's network namespace and back. The link carries an alias naming
 * its host name and its container while it is away, so that it can be recognised whatever its
 * name and namespace (a physical NIC comes back to the host by itself, under the pod's name, when
 * the pod's namespace is destroyed); the state file keeps the rest (MTU, alias, up) for the return.
 */
final class NetdevHandover {
    private static final System.Logger LOG = System.getLogger(NetdevHandover.class.getName());
    private static final String ALIAS_PREFIX = "splitplane:";

    private NetdevHandover() {
    }

    /** The alias the link carries while a pod has it: {@code splitplane:<host name>:<container id>}. */
    static String aliasTag(String device, String containerId) {
        return ALIAS_PREFIX + device + ":" + containerId;
    }

    /**
     * Moves {@code device} into {@code podNs} as {@code ifname}, with {@code mtu} (if set), up. Each
     * step registers its undo.
     *
     * @return the link's ifindex in the pod's namespace
     */
    static int moveIn(RtnetlinkSocket host, NetNamespace hostNs, NetNamespace podNs, RtnetlinkSocket pod,
                      Link device, AttachmentState state, Integer mtu, Rollback rollback, StepTimes times) {
        int hostIndex = device.index();
        host.setAlias(hostIndex, aliasTag(device.name(), state.containerId()));
        rollback.register("restore the alias of " + device.name(), () -> host.setAlias(hostIndex, state.originalAlias()));
        times.mark("alias");
        if (device.isUp()) {
            // Older kernels refuse to rename a link that is up; it arrives down in the pod anyway.
            host.setUp(hostIndex, false);
            rollback.register("set " + device.name() + " up again", () -> host.setUp(hostIndex, true));
        }
        times.mark("down");
        host.moveToNamespace(hostIndex, podNs);
        rollback.register("return " + device.name() + " to the host", () -> moveOut(host, hostNs, podNs, state));
        times.mark("netns");
        int podIndex = pod.ifindex(device.name());
        if (!device.name().equals(state.ifname())) {
            pod.rename(podIndex, state.ifname());
        }
        times.mark("rename");
        if (mtu != null && mtu != device.mtu()) {
            pod.setMtu(podIndex, mtu);
        }
        pod.setUp(podIndex, true);
        times.mark("up");
        return podIndex;
    }

    /**
     * Brings the device back into the host namespace under its host name, with its MTU, alias and
     * up state as before ADD. Looks for it in the pod first (if the namespace is still there), then
     * in the host (where a physical NIC lands when the pod's namespace is destroyed).
     *
     * @return whether the device was found
     */
    static boolean moveOut(RtnetlinkSocket host, NetNamespace hostNs, NetNamespace podNs, AttachmentState state) {
        String tag = aliasTag(state.device(), state.containerId());
        if (podNs != null) {
            try (RtnetlinkSocket pod = RtnetlinkSocket.open(podNs)) {
                Optional<Link> inPod = find(pod, tag, state);
                if (inPod.isPresent()) {
                    int index = inPod.get().index();
                    pod.setUp(index, false);
                    pod.moveToNamespace(index, hostNs);
                    LOG.log(Level.DEBUG, () -> "moved " + inPod.get().name() + " out of " + podNs.label());
                }
            }
        }
        Optional<Link> back = find(host, tag, state);
        if (back.isEmpty()) {
            return false;
        }
        Link link = back.get();
        if (!link.name().equals(state.device())) {
            host.rename(link.index(), state.device());
        }
        if (state.originalMtu() > 0 && link.mtu() != state.originalMtu()) {
            host.setMtu(link.index(), state.originalMtu());
        }
        host.setAlias(link.index(), state.originalAlias() == null ? "" : state.originalAlias());
        if (state.wasUp()) {
            host.setUp(link.index(), true);
        }
        return true;
    }

    /**
     * Our link in the namespace of {@code socket}: the one with our alias, or the one with our MAC under
     * one of the names it can have (the pod's or the host's).
     */
    static Optional<Link> find(RtnetlinkSocket socket, String tag, AttachmentState state) {
        Link byMac = null;
        for (Link l : socket.links()) {
            if (l.alias().filter(tag::equals).isPresent()) {
                return Optional.of(l);
            }
            boolean ourName = l.name().equals(state.ifname()) || l.name().equals(state.device());
            if (ourName && state.mac() != null && l.mac().map(m -> m.toString().equalsIgnoreCase(state.mac())).orElse(false)) {
                byMac = l;
            }
        }
        return Optional.ofNullable(byMac);
    }
}
