package io.splitplane.e2e;

import java.nio.file.Path;

/**
 * Where a scenario builds its network: namespaces, veth pairs and scratch directories, each removed
 * again by the lab when it closes (in reverse order, also after a failure). The demo uses
 * {@link DemoLab}; tests use the kernel module's {@code TestNetwork}, whose {@code spt} names the
 * leak check watches.
 */
public interface Lab extends AutoCloseable {

    /** A veth pair: {@code a} in namespace {@code nsA}, {@code b} in {@code nsB}, both up. */
    record Veth(String a, String nsA, String b, String nsB) {
    }

    /** Creates a network namespace with loopback up and returns its name. */
    String namespace(String role);

    /** Creates a veth pair between two namespaces, both ends up. */
    Veth veth(String nsA, String nsB);

    /** Creates an empty directory under /run (FRR's sockets, configs and logs) that the lab removes. */
    Path directory(String role);

    /**
     * Mounts a fresh bpffs (under /run: {@code ip netns exec} remounts /sys and would hide
     * /sys/fs/bpf) that the lab unmounts, and returns its mount point.
     */
    Path bpffs();

    /** Registers cleanup, run in reverse order with the lab's own. */
    void onClose(Runnable action);

    @Override
    void close();
}
