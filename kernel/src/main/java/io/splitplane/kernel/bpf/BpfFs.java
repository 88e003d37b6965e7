package io.splitplane.kernel.bpf;

import io.splitplane.kernel.sys.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Pins: BPF objects given a name in a BPF filesystem (bpffs), so they outlive the process and other
 * processes can open them. Paths are checked to be on a bpffs first: the kernel's answer for other
 * filesystems is a bare EPERM, and {@link #unpin} must never delete an ordinary file.
 */
final class BpfFs {
    /** The file-system type name of bpffs, as in /proc/mounts. */
    private static final String TYPE = "bpf";

    private BpfFs() {
    }

    /** Pins {@code fd} at {@code path}, whose directory must be on a bpffs and which must not exist. */
    static void pin(int fd, Path path, String what) {
        Path absolute = absolute(path);
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("cannot pin " + what + " at " + absolute + ": no parent directory");
        }
        requireOnBpfFs(parent, "pin " + what + " at " + absolute);
        try (Arena arena = Arena.ofConfined()) {
            int r = Libbpf.objPin(fd, arena.allocateFrom(absolute.toString()));
            if (r < 0) {
                String detail = -r == Errno.EEXIST ? "something is already pinned there" : null;
                throw new BpfException("bpf_obj_pin(" + what + ", " + absolute + ")", -r, detail, null);
            }
        }
    }

    /** Opens the pinned object at {@code path}; returns its new fd. */
    static int open(Path path, String what) {
        Path absolute = absolute(path);
        requireOnBpfFs(absolute, "open pinned " + what + " " + absolute);
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libbpf.objGet(arena.allocateFrom(absolute.toString()));
            if (fd < 0) {
                throw new BpfException("bpf_obj_get(" + absolute + ")", -fd, null, null);
            }
            return fd;
        }
    }

    /**
     * Removes the pin at {@code path} (the object lives on while anything else holds it).
     *
     * @return false if nothing was pinned there
     */
    static boolean unpin(Path path) {
        Path absolute = absolute(path);
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        requireOnBpfFs(absolute, "unpin " + absolute);
        try {
            Files.delete(absolute);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new BpfException("unlink(" + absolute + ")", Errno.EIO, e.toString(), null);
        }
    }

    private static void requireOnBpfFs(Path path, String action) {
        String type;
        try {
            type = Files.getFileStore(path).type();
        } catch (NoSuchFileException e) {
            throw new BpfException(action, Errno.ENOENT, path + " does not exist", null);
        } catch (IOException e) {
            throw new BpfException(action, Errno.EIO, e.toString(), null);
        }
        if (!TYPE.equals(type)) {
            throw new IllegalArgumentException("cannot " + action + ": " + path + " is on a '" + type
                    + "' filesystem, not on a BPF filesystem (mount -t bpf bpf DIR)");
        }
    }

    private static Path absolute(Path path) {
        return Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
    }
}
