package io.splitplane.kernel.bpf;

import io.splitplane.kernel.netlink.InterfaceName;
import io.splitplane.kernel.sys.Errno;
import io.splitplane.kernel.sys.KernelException;
import io.splitplane.kernel.sys.Libc;

/** Interface names as the kernel accepts them ({@code dev_valid_name}), resolved to an ifindex. */
final class NetworkInterfaces {
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
        InterfaceName.requireValid(name);
    }

    static void requireValidIndex(int ifindex) {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("invalid interface index ifindex=" + ifindex + ": must be positive");
        }
    }
}
