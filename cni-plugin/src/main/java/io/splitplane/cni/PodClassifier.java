package io.splitplane.cni;

import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.cni.XdpAttach;
import io.splitplane.bpf.Classifier;
import io.splitplane.bpf.ClassifierSpares;
import io.splitplane.kernel.bpf.BpfProgram;
import io.splitplane.kernel.bpf.XdpAttachment;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netlink.Link;
import io.splitplane.kernel.netlink.RtnetlinkSocket;
import io.splitplane.kernel.netns.NetNamespace;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The classifier on the pod's netdev: loaded with the network's rules, attached inside the pod's
 * namespace, pinned in the netdev's directory of {@link io.splitplane.api.handover.XskMapPaths} (which
 * the device plugin mounts into the pod), then let go of: the pins keep it alive and attached until DEL.
 */
final class PodClassifier {
    private static final System.Logger LOG = System.getLogger(PodClassifier.class.getName());

    private PodClassifier() {
    }

    static XdpMode kernelMode(XdpAttach attach) {
        return switch (attach) {
            case NATIVE -> XdpMode.NATIVE;
            case GENERIC -> XdpMode.GENERIC;
            case AUTO -> XdpMode.NATIVE_OR_GENERIC;
        };
    }

    /**
     * Starts loading the classifier with its rules on a thread of its own: the kernel's verifier takes
     * the longest of all ADD's steps, and needs neither the device nor the pod, so it runs while ADD
     * moves the device and waits for IPAM. The caller must {@link #install} or {@link #discard} the result.
     */
    static BackgroundStep<Classifier> preload(ClassifierRules rules) {
        return BackgroundStep.start("classifier-load", () -> {
            Classifier c = Classifier.load();
            try {
                c.replaceRules(rules);
            } catch (RuntimeException | Error e) {
                c.close();
                throw e;
            }
            return c;
        });
    }

    /** Closes a preloaded classifier that will not be installed (ADD failed before its turn). */
    static void discard(BackgroundStep<Classifier> loaded) {
        try {
            loaded.join().close();
        } catch (RuntimeException | Error e) {
            // it failed to load: nothing to close
        }
    }

    /**
     * Where ADD's classifier comes from: with a spare ready under the pin root ({@link ClassifierSpares},
     * kept by the device plugin), nothing is loaded now and {@link #install} claims one; without, the
     * load starts at once ({@link #preload}). Returns null in the first case.
     */
    static BackgroundStep<Classifier> preloadUnlessSpare(ClassifierRules rules, ClassifierSpares spares) {
        if (spares.count() > 0) {
            return null;
        }
        return preload(rules);
    }

    /**
     * A spare being claimed onto the netdev's pin directory and given the network's rules on a thread of
     * its own, while ADD moves the device and waits for IPAM (writing the rules waits for an RCU grace
     * period in the kernel, and needs neither device nor pod). Exactly one of {@link #take} (the
     * classifier step) or {@link #release} (rollback) gets it.
     */
    static final class Claim {
        private final BackgroundStep<Optional<Classifier>> claimed;
        private final AtomicBoolean taken = new AtomicBoolean();

        private Claim(ClassifierSpares spares, Path pinDir, ClassifierRules rules) {
            claimed = BackgroundStep.start("classifier-claim", () -> claimWithRules(spares, pinDir, rules));
        }

        /** The claimed spare with its rules, or empty if other ADDs took the spares first. */
        Optional<Classifier> take() {
            taken.set(true);
            return claimed.join();
        }

        /** Rollback before the classifier step: the claimed spare's pins are removed and the object closed. */
        void release() {
            if (taken.getAndSet(true)) {
                return;
            }
            Optional<Classifier> c;
            try {
                c = claimed.join();
            } catch (RuntimeException | Error e) {
                return; // the claim failed and left nothing
            }
            c.ifPresent(classifier -> {
                try {
                    classifier.unpin();
                } finally {
                    classifier.close();
                }
            });
        }
    }

    /** Starts claiming a spare for {@code pinDir} (see {@link Claim}). */
    static Claim claimAhead(ClassifierSpares spares, Path pinDir, ClassifierRules rules) {
        return new Claim(spares, pinDir, rules);
    }

    private static Optional<Classifier> claimWithRules(ClassifierSpares spares, Path pinDir, ClassifierRules rules) {
        Optional<Classifier> claimed;
        try {
            claimed = spares.claim(pinDir);
        } catch (IllegalStateException e) {
            throw new CniException(CniException.KERNEL_FAILURE, "cannot pin the classifier at " + pinDir,
                    e.getMessage(), e);
        }
        claimed.ifPresent(c -> {
            try {
                c.replaceRules(rules);
            } catch (RuntimeException | Error e) {
                try {
                    c.unpin();
                } finally {
                    c.close();
                }
                throw e;
            }
        });
        return claimed;
    }

    /**
     * Attaches the classifier to the pod's link and pins it; every step registers its undo. The
     * classifier is the spare of {@code claim} when {@code loaded} is null (if it got one: another ADD
     * may have taken the last spare, then one is loaded here), else the preloaded one. Returns the mode
     * that took and whether a spare served.
     */
    static Installed install(BackgroundStep<Classifier> loaded, Claim claim, ClassifierRules rules,
                             NetNamespace podNs, int podIfindex, XdpAttach attach, Path pinDir, Rollback rollback,
                             StepTimes times) {
        if (loaded == null) {
            Optional<Classifier> claimed = claim.take();
            times.mark("claim");
            if (claimed.isPresent()) {
                return new Installed(installClaimed(claimed.get(), podNs, podIfindex, attach, rollback), true);
            }
            LOG.log(Level.INFO, () -> "the spare classifiers were taken: loading one for " + pinDir);
            loaded = preload(rules);
        }
        return new Installed(install(loaded, podNs, podIfindex, attach, pinDir, rollback), false);
    }

    /** The mode the classifier took, and whether it came from a spare. */
    record Installed(XdpMode mode, boolean spare) {
    }

    /** A spare renamed onto the pod's pin directory, with its rules: attaches. */
    private static XdpMode installClaimed(Classifier classifier, NetNamespace podNs, int podIfindex, XdpAttach attach,
                                          Rollback rollback) {
        try {
            // The rename made it the pod's pins: a crash from here on leaves them to DEL or GC.
            Path pinDir = classifier.pinDirectory().orElseThrow();
            rollback.register("unpin the classifier at " + pinDir, classifier::unpin);
            XdpMode mode = podNs.call(() -> classifier.attach(podIfindex, kernelMode(attach)));
            registerDetachThroughPins(pinDir, podNs, rollback);
            return mode;
        } finally {
            // Pinned: the program stays attached for the pod.
            classifier.close();
        }
    }

    private static XdpMode install(BackgroundStep<Classifier> loaded, NetNamespace podNs, int podIfindex,
                                   XdpAttach attach, Path pinDir, Rollback rollback) {
        Classifier classifier = loaded.join();
        try {
            XdpMode mode = podNs.call(() -> classifier.attach(podIfindex, kernelMode(attach)));
            // Until it is pinned, close() below detaches it if anything fails.
            classifier.pin(pinDir);
            Path pinned = classifier.pinDirectory().orElseThrow();
            // unpin() only removes the pin files: it works on the closed object too.
            rollback.register("unpin the classifier at " + pinned, classifier::unpin);
            registerDetachThroughPins(pinned, podNs, rollback);
            return mode;
        } finally {
            // Pinned, the program stays attached for the pod; not pinned (a failure), close detaches it.
            classifier.close();
        }
    }

    /**
     * Registers the detach of the classifier pinned at {@code pinDir}, to run after ADD has closed its
     * object: through the pins, from the pod's namespace, and before the unpin registered earlier (undos
     * run newest first), so the link goes home without the program.
     */
    private static void registerDetachThroughPins(Path pinDir, NetNamespace podNs, Rollback rollback) {
        rollback.register("detach the classifier", () -> podNs.run(() -> {
            try (Classifier pinned = Classifier.openPinned(pinDir)) {
                pinned.detach();
            }
        }));
    }

    /**
     * Detaches the classifier pinned at {@code pinDir} from wherever it is attached (the pod's
     * namespace if it still exists, else the host, where a physical NIC lands when the pod's
     * namespace is gone) and removes the pins. Does nothing if nothing is pinned there.
     */
    static void remove(Path pinDir, NetNamespace podNs, RtnetlinkSocket host) {
        if (!Files.isDirectory(pinDir)) {
            return;
        }
        Classifier classifier;
        try {
            classifier = Classifier.openPinned(pinDir);
        } catch (IllegalArgumentException e) {
            // A pin directory that is not a whole classifier (an ADD that died while pinning).
            LOG.log(Level.WARNING, "removing incomplete pins at " + pinDir + ": " + e.getMessage());
            removeAll(pinDir);
            return;
        }
        try {
            if (classifier.attachedIfindex().isPresent()) {
                boolean detached = false;
                if (podNs != null) {
                    try {
                        podNs.run(classifier::detach);
                        detached = true;
                    } catch (IllegalStateException e) {
                        // attached in another namespace than this one: look in the host below
                    }
                }
                if (!detached) {
                    detachInHost(pinDir, classifier.programId(), host);
                }
            }
            classifier.unpin();
        } finally {
            classifier.close();
        }
    }

    private static void detachInHost(Path pinDir, int programId, RtnetlinkSocket host) {
        List<Link> holders = host.links().stream().filter(l -> l.xdp().programId() == programId
                || l.xdp().driverProgramId() == programId || l.xdp().genericProgramId() == programId).toList();
        if (holders.isEmpty()) {
            return;
        }
        try (BpfProgram program = BpfProgram.openPinned(pinDir.resolve(Classifier.PROGRAM_PIN))) {
            for (Link l : holders) {
                Optional<XdpAttachment> a = XdpAttachment.find(program, l.index());
                a.ifPresent(XdpAttachment::detach);
                LOG.log(Level.INFO, () -> "detached the classifier from " + l.name() + " in the host namespace");
            }
        }
    }

    private static void removeAll(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot remove pins", dir + ": " + e, e);
        }
    }

    /** What is wrong with the classifier of the pod's link {@code podLink}, or null if it is as ADD left it. */
    static String problem(Path pinDir, Link podLink, ClassifierRules rules) {
        if (!Files.isDirectory(pinDir)) {
            return "the classifier is not pinned at " + pinDir;
        }
        try (Classifier c = Classifier.openPinned(pinDir)) {
            Optional<Integer> at = c.attachedIfindex();
            if (at.isEmpty() || at.get() != podLink.index()) {
                return "the classifier pinned at " + pinDir + " is attached to " + at.map(i -> "ifindex " + i)
                        .orElse("nothing") + ", not to " + podLink.name() + " (ifindex " + podLink.index() + ")";
            }
            int id = c.programId();
            if (podLink.xdp().programId() != id && podLink.xdp().driverProgramId() != id
                    && podLink.xdp().genericProgramId() != id) {
                return podLink.name() + " runs XDP program " + podLink.xdp().programId() + ", not the classifier ("
                        + id + ")";
            }
            List<String> want = rules.rules().stream().map(r -> r.name()).toList();
            if (!c.ruleNames().equals(want)) {
                return "the classifier's rules are " + c.ruleNames() + ", the network config has " + want;
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "the pins at " + pinDir + " are incomplete: " + e.getMessage();
        }
    }
}
