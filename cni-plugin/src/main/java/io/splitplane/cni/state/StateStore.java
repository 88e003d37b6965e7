package io.splitplane.cni.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.splitplane.cni.CniException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The plugin's state directory: one JSON file per attachment, and the lock that serialises calls.
 * Runtimes may run ADD and DEL for different containers at the same time; every call that reads or
 * changes state or devices holds the lock ({@code flock}-style, released by the kernel if the
 * process dies) from open to close, so "is this device free?" and "take it" cannot interleave.
 * Calls served by one process (the node daemon's server) first take an in-process lock per
 * directory: the kernel's lock belongs to the process, and a second thread asking for it would get
 * {@link java.nio.channels.OverlappingFileLockException} instead of waiting.
 */
public final class StateStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUFFIX = ".json";
    private static final java.util.concurrent.ConcurrentMap<Path, java.util.concurrent.locks.ReentrantLock> IN_PROCESS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final Path dir;
    private final Path attachments;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final java.util.concurrent.locks.ReentrantLock inProcess;

    private StateStore(Path dir, FileChannel lockFile, FileLock lock, java.util.concurrent.locks.ReentrantLock inProcess) {
        this.dir = dir;
        this.inProcess = inProcess;
        this.attachments = dir.resolve("attachments");
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /** Opens {@code dir} (created if missing) and waits for its lock. */
    public static StateStore lock(Path dir) {
        Path key;
        try {
            Files.createDirectories(dir.resolve("attachments"));
            key = dir.toRealPath();
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot lock the plugin's state", dir + ": " + e, e);
        }
        java.util.concurrent.locks.ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(
                key, d -> new java.util.concurrent.locks.ReentrantLock());
        if (inProcess.isHeldByCurrentThread()) {
            throw new IllegalStateException("the state of " + dir + " is locked by this thread already");
        }
        inProcess.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new StateStore(dir, channel, channel.lock(), inProcess);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            inProcess.unlock();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new CniException(CniException.IO_FAILURE, "cannot lock the plugin's state", dir + ": " + e, e);
        }
    }

    /** The directory, for files kept next to the attachments (the delegate version cache). */
    public Path directory() {
        return dir;
    }

    public Optional<AttachmentState> read(String containerId, String ifname) {
        return readFile(file(containerId, ifname));
    }

    /** Every attachment on record. */
    public List<AttachmentState> all() {
        List<AttachmentState> states = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(attachments, "*" + SUFFIX)) {
            for (Path f : files) {
                readFile(f).ifPresent(states::add);
            }
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot list the plugin's state", attachments + ": " + e, e);
        }
        return states;
    }

    /** The attachment that holds {@code device}, if any. */
    public Optional<AttachmentState> holderOf(String device) {
        return all().stream().filter(s -> device.equals(s.device())).findFirst();
    }

    /** Writes (or replaces) an attachment's state atomically: a crash leaves the old file or the new one. */
    public void write(AttachmentState state) {
        Path target = file(state.containerId(), state.ifname());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.write(tmp, JSON.writeValueAsBytes(state));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot write the plugin's state", target + ": " + e, e);
        }
    }

    public void delete(String containerId, String ifname) {
        Path f = file(containerId, ifname);
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot remove the plugin's state", f + ": " + e, e);
        }
    }

    /** '@' cannot occur in a container ID, so the file name splits back unambiguously. */
    private Path file(String containerId, String ifname) {
        return attachments.resolve(containerId + "@" + ifname + SUFFIX);
    }

    private static Optional<AttachmentState> readFile(Path f) {
        try {
            return Optional.of(JSON.readValue(f.toFile(), AttachmentState.class));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot read the plugin's state", f + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(lockFile);
        inProcess.unlock();
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }
}
