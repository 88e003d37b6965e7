package io.splitplane.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.kernel.bpf.BpfException;
import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.bpf.BpfObject;
import io.splitplane.kernel.bpf.TestRun;
import io.splitplane.kernel.bpf.TestRunResult;
import io.splitplane.kernel.bpf.XdpAttachment;
import io.splitplane.kernel.bpf.XdpMode;
import io.splitplane.kernel.netns.NetNamespace;
import io.splitplane.kernel.sys.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The XDP classifier of one pool netdev: per packet, redirect into the AF_XDP socket bound to the
 * packet's rx queue, pass to the kernel, or drop, by the first matching rule. The program is
 * compiled once ({@code classifier.bpf.o}, shipped in this jar); its behaviour is the data in its
 * maps, so nobody compiles or loads BPF to change it.
 *
 * <p>Life cycle, as the CNI uses it: {@link #load()}, {@link #attach(String)} inside the pod's
 * network namespace, {@link #replaceRules}, {@link #pin(Path)} and {@link #close()} (the program
 * stays attached: the pins hand it over). Later, another process: {@link #openPinned(Path)},
 * {@link #replaceRules} or {@link #counters()}, {@link #detach()} (in the same network namespace),
 * {@link #unpin()}, {@link #close()}. The dataplane pod registers its AF_XDP sockets in the pinned
 * XSKMAP ({@link #XSKS_MAP_PIN}), or through {@link #registerSocket}.
 *
 * <p>Each netdev needs its own classifier: the XSKMAP is indexed by rx queue. Methods are thread
 * safe; {@link #testRun} does not wait for a rule update in progress (it sees the old or the new
 * set). Two processes must not replace the rules of one classifier at the same time.
 */
public final class Classifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Classifier.class.getName());
    /** The compiled program, next to this class in the jar. */
    public static final String RESOURCE = "classifier.bpf.o";
    /** The XSKMAP's pin name under the pin directory: what a pod opens to register its sockets. */
    public static final String XSKS_MAP_PIN = ClassifierMaps.XSKS;
    /** The program's pin name under the pin directory. */
    public static final String PROGRAM_PIN = ClassifierMaps.PROGRAM;
    /** XSKMAP slots: rx queues 0 to 255 can have a socket. */
    public static final int MAX_QUEUES = ClassifierMaps.MAX_QUEUES;
    /** asm-generic/errno.h; what the XSKMAP answers for an fd that is no socket. */
    private static final int ENOTSOCK = 88;

    /** The loaded object, or null when reopened from pins. */
    private final BpfObject object;
    private final ClassifierMaps maps;
    private final RuleSetWriter writer;
    /** Guarded by this. */
    private XdpAttachment attachment;
    private Path pinDir;
    private boolean closed;

    private Classifier(BpfObject object, ClassifierMaps maps, Path pinDir) {
        this.object = object;
        this.maps = maps;
        this.writer = new RuleSetWriter(maps);
        this.pinDir = pinDir;
    }

    /** Loads the embedded program and its maps into the kernel, with no rules (every packet passes). */
    public static Classifier load() {
        BpfObject object = BpfObject.openResource(Classifier.class, RESOURCE);
        try {
            object.load();
            return new Classifier(object, ClassifierMaps.of(object), null);
        } catch (RuntimeException | Error e) {
            object.close();
            throw e;
        }
    }

    /**
     * Reopens a classifier {@linkplain #pin pinned} under {@code dir}, e.g. by another process: its
     * rules, counters, sockets and attachment are all in the pinned maps.
     *
     * @throws IllegalArgumentException if {@code dir} holds no classifier, or one of another version
     */
    public static Classifier openPinned(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path absolute = dir.toAbsolutePath().normalize();
        return new Classifier(null, ClassifierMaps.openPinned(absolute), absolute);
    }

    // ---- attachment ----------------------------------------------------------------------------

    /** {@link #attach(int)} by interface name (in the calling thread's network namespace). */
    public XdpMode attach(String interfaceName) {
        Objects.requireNonNull(interfaceName, "interfaceName");
        return attached(() -> maps.program().attachXdp(interfaceName, XdpMode.NATIVE_OR_GENERIC));
    }

    /**
     * Attaches the classifier to {@code ifindex} in the calling thread's network namespace: in native
     * mode (in the driver) if the driver supports it, else in generic mode, which works everywhere
     * but later and slower, and which AF_XDP can use in copy mode only. The fallback is logged at
     * WARNING, returned, and recorded ({@link #attachedMode()}).
     *
     * @return the mode that took
     * @throws IllegalStateException if this classifier is attached already (one classifier per netdev)
     * @throws BpfException          if the interface already has an XDP program (it is never replaced)
     */
    public XdpMode attach(int ifindex) {
        return attach(ifindex, XdpMode.NATIVE_OR_GENERIC);
    }

    /**
     * {@link #attach(int)} in the given mode: {@link XdpMode#NATIVE} fails on a driver without XDP
     * support instead of falling back, {@link XdpMode#GENERIC} never tries the driver.
     *
     * @return the mode that took
     */
    public XdpMode attach(int ifindex, XdpMode mode) {
        Objects.requireNonNull(mode, "mode");
        return attached(() -> maps.program().attachXdp(ifindex, mode));
    }

    private synchronized XdpMode attached(java.util.function.Supplier<XdpAttachment> attach) {
        requireOpen();
        AttachState state = AttachState.read(maps.map(ClassifierMaps.STATE));
        if (attachment != null || state.attached()) {
            throw new IllegalStateException("the classifier is attached to ifindex " + state.ifindex()
                    + " already; a classifier serves one interface (load another), or detach() first");
        }
        XdpAttachment a = attach.get();
        try (NetNamespace here = NetNamespace.current()) {
            new AttachState(a.ifindex(), a.mode(), here.inode()).write(maps.map(ClassifierMaps.STATE));
        } catch (RuntimeException | Error e) {
            a.detach();
            throw e;
        }
        attachment = a;
        if (a.mode() == XdpMode.GENERIC) {
            LOG.log(Level.WARNING, () -> "classifier attached to ifindex " + a.ifindex() + " in GENERIC mode: the"
                    + " driver has no native XDP; AF_XDP sockets on it work in copy mode only");
        } else {
            LOG.log(Level.INFO, () -> "classifier attached to ifindex " + a.ifindex() + " in " + a.mode() + " mode");
        }
        return a.mode();
    }

    /** The mode the classifier is attached in (as recorded when attaching), or empty if it is not. */
    public synchronized Optional<XdpMode> attachedMode() {
        requireOpen();
        return Optional.ofNullable(AttachState.read(maps.map(ClassifierMaps.STATE)).mode());
    }

    /** The interface index the classifier is attached to (in its namespace), or empty. */
    public synchronized Optional<Integer> attachedIfindex() {
        requireOpen();
        AttachState s = AttachState.read(maps.map(ClassifierMaps.STATE));
        return s.attached() ? Optional.of(s.ifindex()) : Optional.empty();
    }

    /**
     * Whether the classifier is attached (as recorded when attaching) to {@code ifindex} of the
     * calling thread's network namespace: how a pod finds, among the classifiers pinned for it, the
     * one on a given netdev (the CNI renamed the netdev; the ifindex and namespace stay).
     */
    public synchronized boolean isAttachedHere(int ifindex) {
        requireOpen();
        AttachState s = AttachState.read(maps.map(ClassifierMaps.STATE));
        if (!s.attached() || s.ifindex() != ifindex) {
            return false;
        }
        try (NetNamespace here = NetNamespace.current()) {
            return here.inode() == s.netnsInode();
        }
    }

    /**
     * Removes the classifier from its interface if it is still the program attached there (never
     * someone else's). Works in a process that reopened the pins, as long as the calling thread is in
     * the network namespace the classifier was attached in. Does nothing if not attached, or if the
     * interface is gone.
     *
     * @throws IllegalStateException if called from another network namespace than the attach
     */
    public synchronized void detach() {
        requireOpen();
        BpfMap stateMap = maps.map(ClassifierMaps.STATE);
        AttachState state = AttachState.read(stateMap);
        if (attachment != null) {
            attachment.detach();
            attachment = null;
        } else if (state.attached()) {
            long here;
            try (NetNamespace current = NetNamespace.current()) {
                here = current.inode();
            }
            if (here != state.netnsInode()) {
                throw new IllegalStateException("the classifier is attached to ifindex " + state.ifindex()
                        + " in the network namespace with inode " + state.netnsInode() + ", but this thread is in "
                        + here + ": detach from there (NetNamespace.call)");
            }
            try {
                XdpAttachment.find(maps.program(), state.ifindex()).ifPresent(XdpAttachment::detach);
            } catch (BpfException e) {
                if (e.errno() != Errno.ENODEV) {
                    throw e;
                }
                // the interface is gone, and the program with it
            }
        }
        AttachState.NONE.write(stateMap);
    }

    // ---- rules and counters --------------------------------------------------------------------

    /**
     * Replaces the whole rule set. Packets see the old set or the new one, never a mix; the call
     * returns once no packet uses the old set. Counters of rules whose name stays carry on.
     *
     * @throws io.splitplane.api.InvalidConfigException if the set exceeds the classifier's limits
     *                                                  (prefixes per trie); nothing changed then
     * @throws BpfException                              if the kernel refused an update; the old set
     *                                                  stays active
     */
    public synchronized void replaceRules(ClassifierRules rules) {
        Objects.requireNonNull(rules, "rules");
        requireOpen();
        writer.replace(RuleCompiler.compile(rules));
    }

    /** The names of the active set's rules, in priority order. */
    public synchronized java.util.List<String> ruleNames() {
        requireOpen();
        return java.util.List.copyOf(writer.activeSlots().keySet());
    }

    /** A snapshot of every outcome counter and of the active rules' counters, summed over CPUs. */
    public synchronized ClassifierCounters counters() {
        requireOpen();
        BpfMap verdicts = maps.map(ClassifierMaps.VERDICT_STATS);
        Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, CounterSlots.sum(verdicts, o.ordinal()));
        }
        CounterSlots slots = new CounterSlots(maps);
        Map<String, Counter> rules = new LinkedHashMap<>();
        writer.activeSlots().forEach((name, slot) -> rules.put(name, slots.read(slot)));
        return new ClassifierCounters(outcomes, rules);
    }

    // ---- AF_XDP sockets ------------------------------------------------------------------------

    /**
     * Steers redirected packets of rx queue {@code queue} into the AF_XDP socket {@code xskFd} (bound
     * to this interface and queue; a socket bound elsewhere makes the kernel drop what is redirected
     * to it). Replaces a socket registered before. Closing the socket unregisters it.
     */
    public synchronized void registerSocket(int queue, int xskFd) {
        requireOpen();
        requireQueue(queue);
        if (xskFd < 0) {
            throw new IllegalArgumentException("xskFd must be a file descriptor, xskFd=" + xskFd);
        }
        try (Arena arena = Arena.ofConfined()) {
            maps.map(ClassifierMaps.XSKS).update(arena.allocateFrom(JAVA_INT, queue), arena.allocateFrom(JAVA_INT, xskFd),
                    BpfMap.ANY);
        } catch (BpfException e) {
            String detail = switch (e.errno()) {
                case Errno.EOPNOTSUPP, ENOTSOCK -> "fd " + xskFd + " is not an AF_XDP socket";
                case Errno.EBADF -> "fd " + xskFd + " is not open";
                default -> null;
            };
            throw new BpfException("register AF_XDP socket fd " + xskFd + " for rx queue " + queue, e.errno(), detail,
                    null);
        }
    }

    /**
     * Stops redirecting queue {@code queue}: its redirect rules then pass to the kernel. Does nothing
     * if no socket is registered for the queue (the XSKMAP does not tell the difference).
     */
    public synchronized void unregisterSocket(int queue) {
        requireOpen();
        requireQueue(queue);
        try (Arena arena = Arena.ofConfined()) {
            maps.map(ClassifierMaps.XSKS).delete(arena.allocateFrom(JAVA_INT, queue));
        }
    }

    private static void requireQueue(int queue) {
        if (queue < 0 || queue >= MAX_QUEUES) {
            throw new IllegalArgumentException("queue must be 0-" + (MAX_QUEUES - 1) + ", queue=" + queue);
        }
    }

    // ---- pins ----------------------------------------------------------------------------------

    /**
     * Pins the program and every map under {@code dir} (on a bpffs; created if missing), so that the
     * classifier outlives this process and {@link #openPinned} finds it. The XSKMAP is at
     * {@code dir/}{@value #XSKS_MAP_PIN}.
     */
    public synchronized void pin(Path dir) {
        Objects.requireNonNull(dir, "dir");
        requireOpen();
        if (pinDir != null) {
            throw new IllegalStateException("the classifier is pinned at " + pinDir + " already");
        }
        Path absolute = dir.toAbsolutePath().normalize();
        boolean created = false;
        try {
            if (!Files.isDirectory(absolute)) {
                Files.createDirectories(absolute);
                created = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("create pin directory " + absolute, e);
        }
        try {
            maps.pin(absolute);
        } catch (RuntimeException | Error e) {
            if (created) {
                deleteEmpty(absolute);
            }
            throw e;
        }
        pinDir = absolute;
    }

    /** Where the classifier is pinned, if it is. */
    public synchronized Optional<Path> pinDirectory() {
        return Optional.ofNullable(pinDir);
    }

    /**
     * Removes the pins (and the pin directory, if nothing else is in it). The classifier lives on
     * while this object, an attachment or a socket registration holds it.
     */
    public synchronized void unpin() {
        if (pinDir == null) {
            return;
        }
        ClassifierMaps.unpin(pinDir);
        deleteEmpty(pinDir);
        pinDir = null;
    }

    private static void deleteEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            // someone else's files: leave the directory
        } catch (IOException e) {
            throw new UncheckedIOException("remove pin directory " + dir, e);
        }
    }

    // ---- diagnostics ---------------------------------------------------------------------------

    /**
     * Runs the classifier on a test frame in the kernel (BPF_PROG_TEST_RUN) with the live rules and
     * counters: the counters count it. A redirect with no socket for the context's queue returns
     * XDP_PASS, as on the wire.
     */
    public TestRunResult testRun(TestRun run) {
        return maps.program().testRun(run);
    }

    /** The kernel's id of the program (as {@code bpftool prog show} lists it). */
    public int programId() {
        return maps.program().id();
    }

    /**
     * Lets go of this object's handles. An attachment made through this object is detached unless
     * the classifier is pinned (then it stays, for whoever reopens the pins). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (attachment != null) {
                if (pinDir != null) {
                    attachment.release();
                } else {
                    attachment.detach();
                    AttachState.NONE.write(maps.map(ClassifierMaps.STATE));
                }
                attachment = null;
            }
        } finally {
            maps.close();
            if (object != null) {
                object.close();
            }
        }
    }

    /** For tests in this package: the program and maps. */
    ClassifierMaps maps() {
        return maps;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the classifier is closed");
        }
    }

    @Override
    public synchronized String toString() {
        return "Classifier[" + (closed ? "closed" : "program " + programId()) + (pinDir != null ? ", pinned at " + pinDir
                : "") + "]";
    }
}
