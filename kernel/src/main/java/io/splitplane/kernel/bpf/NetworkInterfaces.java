package io.splitplane.kernel.bpf;

import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Interface names as the kernel accepts them ({@code dev_valid_name}), resolved to an ifindex. */
final class NetworkInterfaces {
    /** IFNAMSIZ - 1: the kernel's names are at most 15 bytes plus the NUL. */
    static final int MAX_NAME_BYTES = 15;

    private NetworkInterfaces() {
    }

    /** The ifindex of {@code name} in the calling thread's network namespace. */
    static int indexOf(String name) {
        requireValidName(name);
        int index = Libc.ifNameToIndex0(name);
        if (index < 0) {
            String detail = -index == Errno.ENODEV || -index == Errno.ENXIO
                    ? "no interface '" + name + "' in the calling thread's network namespace" : null;
            throw new KernelException("if_nametoindex(" + name + ")", -index, detail);
        }
        return index;
    }

    /** Rejects what no interface can be called, before anything reaches the kernel. */
    static void requireValidName(String name) {
        Objects.requireNonNull(name, "interface name");
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (name.isEmpty() || bytes > MAX_NAME_BYTES || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid interface name '" + name
                    + "': must be 1-" + MAX_NAME_BYTES + " bytes and not '.' or '..'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c == '\0' || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("invalid interface name '" + name
                        + "': '/', ':', NUL and whitespace are not allowed");
            }
        }
    }

    static void requireValidIndex(int ifindex) {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("invalid interface index ifindex=" + ifindex + ": must be positive");
        }
    }
}
