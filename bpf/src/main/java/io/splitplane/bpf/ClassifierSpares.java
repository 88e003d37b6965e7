package io.splitplane.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Classifiers loaded ahead of time, so that the kernel's verifier (the longest step of handing a
 * netdev to a pod) runs between pods instead of inside the CNI's ADD. A loaded XDP program is not
 * bound to a netdev, so a spare is simply a loaded classifier with no rules, pinned (program and
 * every map, the XSKMAP included) in a directory of its own:
 *
 * <pre>
 * &lt;bpffsRoot&gt;/classifier-spares/          longer than any netdev name: never a netdev's pin directory
 *     &lt;objectId&gt;/                        {@link #objectId()}: the compiled object's hash
 *         spare-&lt;random&gt;/              a complete spare, ready to be claimed
 *         new-&lt;random&gt;/                one being pinned (renamed to spare-… once complete)
 * </pre>
 *
 * <p>{@link #claim} takes one by a single rename(2) of its directory onto the netdev's pin directory
 * (absent or empty): the rename is atomic on bpffs, so two claimers never get the same spare, and a
 * crash leaves either a spare or a netdev's pins (which the CNI's DEL and GC remove), never something
 * in between. Spares are only ever taken from the directory of this jar's object: a spare compiled
 * from another object is never claimed, and {@link #sweep} removes it.
 *
 * <p>Who prepares: the device plugin, one spare per pool netdev on its node (any process can,
 * through {@link #prepare}). Who claims: the CNI's ADD, which loads a classifier itself when there is
 * none.
 */
public final class ClassifierSpares {
    private static final System.Logger LOG = System.getLogger(ClassifierSpares.class.getName());
    /** The directory under the bpffs root. Longer than IFNAMSIZ-1, so it is never a netdev's. */
    public static final String DIRECTORY = "classifier-spares";
    // bpffs refuses names with a dot (EPERM): no hidden ".new" names here.
    private static final String SPARE_PREFIX = "spare-";
    private static final String NEW_PREFIX = "new-";
    /** A half-pinned spare older than this belongs to a preparer that died. */
    private static final Duration ABANDONED = Duration.ofMinutes(1);

    private static volatile String objectId;

    private final Path root;
    private final Path directory;

    private ClassifierSpares(Path root, String id) {
        this.root = root;
        this.directory = root.resolve(id);
    }

    /**
     * The spares of this jar's classifier object under {@code bpffsRoot} (a directory on a bpffs, as
     * in {@link io.splitplane.api.handover.XskMapPaths}). Touches nothing.
     */
    public static ClassifierSpares under(Path bpffsRoot) {
        Objects.requireNonNull(bpffsRoot, "bpffsRoot");
        return new ClassifierSpares(bpffsRoot.toAbsolutePath().normalize().resolve(DIRECTORY), objectId());
    }

    /**
     * The identity of the classifier object in this jar: the first 16 hex digits of the SHA-256 of
     * its bytes. Spares of a different object (another build) are never claimed.
     */
    public static String objectId() {
        String id = objectId;
        if (id == null) {
            byte[] elf;
            try (InputStream in = Classifier.class.getResourceAsStream(Classifier.RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("no resource '" + Classifier.RESOURCE + "' next to "
                            + Classifier.class.getName());
                }
                elf = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("read " + Classifier.RESOURCE, e);
            }
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(elf);
                id = HexFormat.of().formatHex(digest, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JDK", e);
            }
            objectId = id;
        }
        return id;
    }

    /** Where this object's spares are. */
    public Path directory() {
        return directory;
    }

    /**
     * Loads one classifier (no rules: every packet would pass) and pins it as a spare. Takes as long
     * as the kernel's verifier. A failure leaves no pins.
     *
     * @return the spare's directory
     */
    public Path prepare() {
        String random = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        Path pinning = directory.resolve(NEW_PREFIX + random);
        Path spare = directory.resolve(SPARE_PREFIX + random);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("create the spare directory " + directory, e);
        }
        try (Classifier classifier = Classifier.load()) {
            classifier.pin(pinning);
            try {
                // Only a complete spare carries the name claimers look for.
                Files.move(pinning, spare, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                classifier.unpin();
                throw new UncheckedIOException("rename " + pinning + " to " + spare, e);
            }
        }
        return spare;
    }

    /**
     * Takes one spare, if there is one, and makes it the classifier pinned at {@code pinDir}: its
     * directory is renamed onto {@code pinDir}, which must be absent or empty and on the same bpffs.
     * The caller owns the returned classifier (attached nowhere, no rules, pinned at {@code pinDir}).
     *
     * @return empty when there is no spare (or other claimers took them all)
     * @throws IllegalStateException if {@code pinDir} holds files already (pins of a classifier in
     *                               use); no spare is taken then
     */
    public Optional<Classifier> claim(Path pinDir) {
        Objects.requireNonNull(pinDir, "pinDir");
        Path target = pinDir.toAbsolutePath().normalize();
        for (Path spare : spares()) {
            try {
                Files.move(spare, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                if (!Files.isDirectory(target.getParent())) {
                    throw new IllegalStateException("cannot claim a spare classifier for " + target + ": "
                            + target.getParent() + " does not exist", e);
                }
                continue; // another claimer was first: try the next one
            } catch (AtomicMoveNotSupportedException e) {
                throw new IllegalStateException("cannot claim a spare classifier for " + target + ": it is not on"
                        + " the bpffs of " + directory, e);
            } catch (IOException e) {
                if (Files.isDirectory(target) && !isEmpty(target)) {
                    throw new IllegalStateException("cannot claim a spare classifier for " + target + ": the"
                            + " directory holds pins already", e);
                }
                throw new UncheckedIOException("rename " + spare + " to " + target, e);
            }
            try {
                return Optional.of(Classifier.openPinned(target));
            } catch (IllegalArgumentException e) {
                // Not a whole classifier (a remover was half-way through it): drop it, try the next.
                LOG.log(Level.WARNING, () -> "dropped an incomplete spare classifier " + spare + ": " + e.getMessage());
                removeDirectory(target);
            }
        }
        return Optional.empty();
    }

    /** How many spares of this object are ready. */
    public int count() {
        return spares().size();
    }

    /**
     * Removes spares until at most {@code keep} are left.
     *
     * @return how many were removed
     */
    public int trim(int keep) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must be >= 0, keep=" + keep);
        }
        List<Path> spares = spares();
        int removed = 0;
        for (int i = keep; i < spares.size(); i++) {
            if (removeDirectory(spares.get(i))) {
                removed++;
            }
        }
        return removed;
    }

    /**
     * Removes what must not be claimed: every spare of another object, and spares of this object
     * that were abandoned half-pinned (older than a minute). Leaves this object's complete spares.
     *
     * @return how many directories were removed
     */
    public int sweep() {
        int removed = 0;
        for (Path dir : list(root)) {
            if (dir.equals(directory)) {
                for (Path entry : list(directory)) {
                    String name = entry.getFileName().toString();
                    if (!name.startsWith(SPARE_PREFIX) && olderThan(entry, ABANDONED) && removeDirectory(entry)) {
                        removed++;
                    }
                }
            } else {
                for (Path entry : list(dir)) {
                    if (removeDirectory(entry)) {
                        removed++;
                    }
                }
                deleteIfEmpty(dir);
                LOG.log(Level.INFO, () -> "removed the spare classifiers of another object: " + dir);
            }
        }
        return removed;
    }

    /** Removes every spare of every object, and the spare directories. */
    public int removeAll() {
        int removed = 0;
        for (Path dir : list(root)) {
            for (Path entry : list(dir)) {
                if (removeDirectory(entry)) {
                    removed++;
                }
            }
            deleteIfEmpty(dir);
        }
        deleteIfEmpty(root);
        return removed;
    }

    private List<Path> spares() {
        List<Path> spares = new ArrayList<>();
        for (Path p : list(directory)) {
            if (p.getFileName().toString().startsWith(SPARE_PREFIX)) {
                spares.add(p);
            }
        }
        return spares;
    }

    private static List<Path> list(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(entries::add);
        } catch (NoSuchFileException e) {
            // nothing prepared yet
        } catch (IOException e) {
            throw new UncheckedIOException("list " + dir, e);
        }
        entries.sort(null);
        return entries;
    }

    private static boolean isEmpty(Path dir) {
        return list(dir).isEmpty();
    }

    private static boolean olderThan(Path p, Duration age) {
        try {
            FileTime modified = Files.getLastModifiedTime(p);
            return modified.toInstant().isBefore(Instant.now().minus(age));
        } catch (IOException e) {
            return false; // gone already
        }
    }

    /** Unpins a spare's pins (and whatever else is in its directory) and removes the directory. */
    private static boolean removeDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        ClassifierMaps.unpin(dir);
        for (Path rest : list(dir)) {
            try {
                Files.deleteIfExists(rest);
            } catch (IOException e) {
                throw new UncheckedIOException("remove " + rest, e);
            }
        }
        try {
            return Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("remove " + dir, e);
        }
    }

    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // not empty (a preparer is at work) or gone: leave it
        }
    }

    /** The same spares: the same object's directory under the same root. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ClassifierSpares other && other.directory.equals(directory);
    }

    @Override
    public int hashCode() {
        return directory.hashCode();
    }

    @Override
    public String toString() {
        return "ClassifierSpares[" + directory + "]";
    }
}
