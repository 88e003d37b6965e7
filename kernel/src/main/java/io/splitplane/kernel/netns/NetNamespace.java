package io.splitplane.kernel.netns;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.FileDescriptor;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An open handle on a network namespace, and the way to run code inside one.
 *
 * <p>{@code setns(2)} changes the namespace of the calling OS thread only. Code therefore never
 * switches a thread it does not own: {@link #call} starts a fresh platform thread, enters the
 * namespace there, runs the task and lets the thread end, so no pooled or virtual thread is ever
 * left in the wrong namespace. Sockets keep the namespace they were created in, so a socket made by
 * a task may be used from any thread afterwards.
 *
 * <p>Named namespaces follow iproute2's convention (a bind mount under {@code /run/netns}), so
 * namespaces made here are visible to {@code ip netns} and the other way round.
 */
public final class NetNamespace implements AutoCloseable {
    /** Where {@code ip netns} keeps named namespaces. */
    public static final Path NETNS_RUN_DIR = Path.of("/run/netns");

    private static final int CLONE_NEWNET = 0x40000000;
    private static final long NS_GET_NSTYPE = 0xb703; // _IO(NSIO 0xb7, 0x3), linux/nsfs.h
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final long MS_BIND = 4096;
    private static final long MS_REC = 16384;
    private static final long MS_SHARED = 1L << 20;
    private static final int MNT_DETACH = 2;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final FileDescriptor fd;
    private final String label;
    private final Path path;

    private NetNamespace(FileDescriptor fd, String label, Path path) {
        this.fd = fd;
        this.label = label;
        this.path = path;
    }

    /** Opens the named namespace {@code /run/netns/<name>} (as {@code ip netns exec} does). */
    public static NetNamespace open(String name) {
        return openPath(pathOf(name), name);
    }

    /** Opens a namespace by path, e.g. {@code /proc/1234/ns/net} or a CNI {@code CNI_NETNS}. */
    public static NetNamespace openPath(Path path) {
        return openPath(path, path.toString());
    }

    /** Opens the namespace of the calling thread. */
    public static NetNamespace current() {
        return openPath(Path.of("/proc/self/task/" + Libc.gettid() + "/ns/net"), "current");
    }

    private static NetNamespace openPath(Path path, String label) {
        Objects.requireNonNull(path, "path");
        int fd = Libc.open0(path.toString(), O_RDONLY | O_CLOEXEC, 0);
        if (fd == -Errno.ENOENT) {
            throw new NamespaceNotFoundException("'" + label + "' (" + path + ")");
        }
        if (fd < 0) {
            throw new KernelException("open network namespace '" + label + "' (" + path + ")", -fd);
        }
        FileDescriptor owned = new FileDescriptor(fd, "network namespace " + label);
        // A path that is not a namespace (a plain file, /proc/self/ns/mnt) fails here, not later.
        if (!isNetNamespaceFd(fd)) {
            owned.close();
            throw new KernelException("open network namespace '" + label + "'", Errno.EINVAL,
                    path + " is not a network namespace");
        }
        return new NetNamespace(owned, label, path);
    }

    private static boolean isNetNamespaceFd(int fd) {
        // NS_GET_NSTYPE answers for any nsfs file, whether opened through /proc or a bind mount.
        return Libc.ioctl0(fd, NS_GET_NSTYPE, java.lang.foreign.MemorySegment.NULL) == CLONE_NEWNET;
    }

    /**
     * Creates the named namespace, as {@code ip netns add} does, and returns it open.
     *
     * @throws KernelException with {@code EEXIST} if it already exists
     */
    public static NetNamespace create(String name) {
        Path path = pathOf(name);
        ensureRunDirIsSharedMount();
        try {
            Files.createFile(path);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new KernelException("create network namespace '" + name + "'", Errno.EEXIST, path + " exists");
        } catch (IOException e) {
            throw new UncheckedIOException("create network namespace '" + name + "': " + path, e);
        }
        try {
            runOnFreshThread("netns-create-" + name, () -> {
                int r = Libc.unshare0(CLONE_NEWNET);
                if (r < 0) {
                    throw new KernelException("unshare(CLONE_NEWNET)", -r);
                }
                // The thread now lives in the new namespace; pin it by bind-mounting its ns file.
                r = Libc.mount0("/proc/self/task/" + Libc.gettid() + "/ns/net", path.toString(), "none", MS_BIND);
                if (r < 0) {
                    throw new KernelException("mount --bind netns onto " + path, -r);
                }
                return null;
            });
        } catch (RuntimeException e) {
            deleteQuietly(path);
            throw e;
        }
        return open(name);
    }

    /**
     * Deletes the named namespace as {@code ip netns del} does. The namespace itself lives on while
     * any process or open handle still uses it.
     *
     * @return false if there was no such namespace
     */
    public static boolean delete(String name) {
        Path path = pathOf(name);
        if (!Files.exists(path)) {
            return false;
        }
        int r = Libc.umount20(path.toString(), MNT_DETACH);
        if (r < 0 && r != -Errno.EINVAL) { // EINVAL: not a mount point (a half-created entry)
            throw new KernelException("umount " + path, -r);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("delete network namespace '" + name + "'", e);
        }
        return true;
    }

    /** Whether the named namespace exists. */
    public static boolean exists(String name) {
        return Files.exists(pathOf(name));
    }

    private static Path pathOf(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid network namespace name '" + name
                    + "': use 1-64 characters from [A-Za-z0-9_.-]");
        }
        return NETNS_RUN_DIR.resolve(name);
    }

    private static synchronized void ensureRunDirIsSharedMount() {
        try {
            Files.createDirectories(NETNS_RUN_DIR);
        } catch (IOException e) {
            throw new UncheckedIOException("create " + NETNS_RUN_DIR, e);
        }
        // As iproute2 does: make /run/netns a shared mount point so that namespace mounts made here
        // propagate into mount namespaces created later (ip netns exec, container runtimes).
        String dir = NETNS_RUN_DIR.toString();
        int r = Libc.mount0("", dir, "none", MS_SHARED | MS_REC);
        if (r == -Errno.EINVAL) {
            r = Libc.mount0(dir, dir, "none", MS_BIND | MS_REC);
            if (r < 0) {
                throw new KernelException("mount --bind " + dir, -r);
            }
            r = Libc.mount0("", dir, "none", MS_SHARED | MS_REC);
        }
        if (r < 0) {
            throw new KernelException("mount --make-rshared " + dir, -r);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort while already failing
        }
    }

    /**
     * Runs {@code task} inside this namespace on a dedicated platform thread and returns its result.
     * Exceptions thrown by the task are rethrown here unchanged (checked ones wrapped in
     * {@link java.util.concurrent.CompletionException}).
     */
    public <T> T call(Callable<T> task) {
        int nsFd = fd.get();
        return runOnFreshThread("netns-" + label, () -> {
            enter(nsFd);
            return task.call();
        });
    }

    /** {@link #call} for tasks without a result. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /**
     * A factory for long-lived platform threads that start inside this namespace (workers that
     * must create sockets or read namespace-local files over time). The handle must stay open
     * until every thread has started.
     */
    public ThreadFactory threadFactory(String namePrefix) {
        int nsFd = fd.get();
        return runnable -> Thread.ofPlatform().name(namePrefix + "-" + THREADS.incrementAndGet()).unstarted(() -> {
            enter(nsFd);
            runnable.run();
        });
    }

    private void enter(int nsFd) {
        int r = Libc.setns0(nsFd, CLONE_NEWNET);
        if (r < 0) {
            throw new KernelException("setns(" + label + ")", -r);
        }
    }

    private static <T> T runOnFreshThread(String name, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name(name).daemon(true).unstarted(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        thread.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a task in network namespace", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new java.util.concurrent.CompletionException(cause);
        }
    }

    /** The open descriptor (for {@code IFLA_NET_NS_FD} moves and {@code setns}). */
    public FileDescriptor fd() {
        return fd;
    }

    /** The name or path this handle was opened by. */
    public String label() {
        return label;
    }

    public Path path() {
        return path;
    }

    /** The namespace's inode number: two handles name the same namespace iff these are equal. */
    public long inode() {
        try {
            return (Long) Files.getAttribute(Path.of("/proc/self/fd/" + fd.get()), "unix:ino");
        } catch (IOException e) {
            throw new UncheckedIOException("stat network namespace " + label, e);
        }
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "NetNamespace[" + label + "]";
    }
}
