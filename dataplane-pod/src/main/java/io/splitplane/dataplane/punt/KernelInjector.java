package io.splitplane.dataplane.punt;

/**
 * Where {@link PuntNode} writes the frames of one port: something that makes the kernel receive an
 * Ethernet frame as if it had arrived on that port ({@link PortPuntTap} for an AF_XDP port).
 */
public interface KernelInjector {
    /**
     * Hands the Ethernet frame of {@code length} bytes at native {@code address} to the kernel (the
     * bytes are copied before this returns; the caller keeps the frame). Returns the bytes taken or
     * {@code -errno}. Must not allocate or block: it runs on the graph worker.
     */
    long inject(long address, int length);
}
