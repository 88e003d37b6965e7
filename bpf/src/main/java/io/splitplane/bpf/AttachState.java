package io.splitplane.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.splitplane.kernel.bpf.BpfMap;
import io.splitplane.kernel.bpf.XdpMode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where the classifier is attached, as recorded in {@code classifier_state[0]}
 * ({@link AttachStateLayout}): the process that detaches may not be the one that attached.
 *
 * @param ifindex    the interface (0: not attached)
 * @param mode       NATIVE or GENERIC, null when not attached
 * @param netnsInode the inode of the network namespace the ifindex belongs to
 */
record AttachState(int ifindex, XdpMode mode, long netnsInode) {
    static final AttachState NONE = new AttachState(0, null, 0);

    boolean attached() {
        return ifindex != 0;
    }

    static AttachState read(BpfMap state) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, 0);
            MemorySegment value = arena.allocate(AttachStateLayout.LAYOUT);
            if (!state.lookup(key, value)) {
                return NONE;
            }
            int ifindex = value.get(JAVA_INT, AttachStateLayout.IFINDEX);
            int flags = value.get(JAVA_INT, AttachStateLayout.XDP_FLAGS);
            if (ifindex == 0) {
                return NONE;
            }
            XdpMode mode = flags == AttachStateLayout.XDP_FLAGS_DRV_MODE ? XdpMode.NATIVE : XdpMode.GENERIC;
            return new AttachState(ifindex, mode, value.get(JAVA_LONG, AttachStateLayout.NETNS_INODE));
        }
    }

    void write(BpfMap state) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, 0);
            MemorySegment value = arena.allocate(AttachStateLayout.LAYOUT);
            value.set(JAVA_INT, AttachStateLayout.IFINDEX, ifindex);
            value.set(JAVA_INT, AttachStateLayout.XDP_FLAGS, mode == null ? 0
                    : mode == XdpMode.NATIVE ? AttachStateLayout.XDP_FLAGS_DRV_MODE : AttachStateLayout.XDP_FLAGS_SKB_MODE);
            value.set(JAVA_LONG, AttachStateLayout.NETNS_INODE, netnsInode);
            state.update(key, value, BpfMap.ANY);
        }
    }
}
