package io.splitplane.dataplane.port;

import io.splitplane.kernel.xdp.XskBindMode;
import io.splitplane.kernel.xdp.XskConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * How to open an {@link AfXdpPort}. Validated when built; messages name the field. Checks that
 * need the device (does it exist, how many queues) happen in {@link AfXdpPort#open}.
 *
 * @param name port name for counters and nodes ({@code port-rx-<name>}); defaults to the interface
 * @param interfaceName the netdev, in the network namespace {@code open} runs in
 * @param queues receive queues to bind, one socket each; the first one also sends
 * @param frameCount UMEM frames shared by all the port's sockets
 * @param chunkSize bytes per frame: 2048 or 4096
 * @param headroom extra bytes the kernel leaves before received data (beyond XDP_PACKET_HEADROOM)
 * @param hugePages back the UMEM with hugepages
 * @param ringSize entries of every ring (FILL, COMPLETION, RX, TX), a power of two
 * @param mode copy, zero-copy, or let the kernel choose
 * @param needWakeup bind with XDP_USE_NEED_WAKEUP: kick only when the kernel asks (recommended)
 * @param txBudget copy-mode descriptors per TX syscall (XDP_MAX_TX_SKB_BUDGET); 0 = kernel default (32)
 * @param busyPollUs SO_BUSY_POLL microseconds with SO_PREFER_BUSY_POLL; 0 = off. With busy polling
 *        the port calls {@code recvfrom} (that call is the busy poll) whenever an RX ring could not
 *        fill the vector, and at least every {@code busyPollHoldUs}
 * @param busyPollBudget SO_BUSY_POLL_BUDGET; 0 = kernel default
 * @param busyPollHoldUs the longest time between two busy polls of a queue, even with a full ring:
 *        the kernel keeps the NAPI with the application only for gro_flush_timeout after a busy poll
 * @param fillBatch refill FILL only in batches of at least this many frames (VPP uses 16)
 * @param maxKicksPerTx copy mode: TX syscalls per {@code tx}/{@code service} call at most (each
 *        sends up to txBudget frames; the rest is kicked on the next loop)
 * @param frameAccounting check every frame move with {@link FrameAccounting} (debug; default from the
 *        system property {@code splitplane.frameAccounting})
 */
public record AfXdpPortConfig(String name, String interfaceName, List<Integer> queues, int frameCount, int chunkSize,
                              int headroom, boolean hugePages, int ringSize, XskBindMode mode, boolean needWakeup,
                              int txBudget, int busyPollUs, int busyPollBudget, int busyPollHoldUs, int fillBatch, int maxKicksPerTx,
                              boolean frameAccounting) {
    /** System property that turns on {@link #frameAccounting()} by default. */
    public static final String FRAME_ACCOUNTING_PROPERTY = "splitplane.frameAccounting";

    public AfXdpPortConfig {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(mode, "mode");
        if (name == null) {
            name = interfaceName;
        }
        queues = List.copyOf(Objects.requireNonNull(queues, "queues"));
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("queues is empty: bind at least one receive queue");
        }
        if (new HashSet<>(queues).size() != queues.size()) {
            throw new IllegalArgumentException("queues=" + queues + " lists a queue twice");
        }
        for (int q : queues) {
            if (q < 0) {
                throw new IllegalArgumentException("queue=" + q + " is negative");
            }
        }
        if (ringSize < XskConfig.MIN_RING_SIZE || ringSize > XskConfig.MAX_RING_SIZE || Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("ringSize=" + ringSize + " is not a power of two in "
                    + XskConfig.MIN_RING_SIZE + ".." + XskConfig.MAX_RING_SIZE);
        }
        if (frameCount < queues.size() * 2) {
            throw new IllegalArgumentException("frameCount=" + frameCount + " is too small for " + queues.size()
                    + " queue(s)");
        }
        if (fillBatch < 1 || fillBatch > ringSize) {
            throw new IllegalArgumentException("fillBatch=" + fillBatch + " is outside 1..ringSize=" + ringSize);
        }
        if (busyPollUs > 0 && busyPollHoldUs < 1) {
            throw new IllegalArgumentException("busyPollHoldUs=" + busyPollHoldUs + " must be at least 1");
        }
        if (maxKicksPerTx < 1) {
            throw new IllegalArgumentException("maxKicksPerTx=" + maxKicksPerTx + " must be at least 1");
        }
    }

    /** The socket configuration for {@code queue}; {@code sends}: whether it gets a TX ring. */
    XskConfig socketConfig(int queue, boolean sends) {
        return XskConfig.builder().interfaceName(interfaceName).queueId(queue).ringSizes(ringSize)
                .txRingSize(sends ? ringSize : 0).mode(mode).needWakeup(needWakeup)
                .txBudget(sends ? txBudget : 0).busyPoll(busyPollUs, busyPollBudget).build();
    }

    public static Builder builder(String interfaceName) {
        return new Builder(interfaceName);
    }

    /** Defaults: queue 0, 4096 frames of 2048 B, 2048-entry rings, AUTO mode, need-wakeup, fill batch 16. */
    public static final class Builder {
        private String name;
        private final String interfaceName;
        private List<Integer> queues = List.of(0);
        private int frameCount = 4096;
        private int chunkSize = 2048;
        private int headroom;
        private boolean hugePages;
        private int ringSize = XskConfig.DEFAULT_RING_SIZE;
        private XskBindMode mode = XskBindMode.AUTO;
        private boolean needWakeup = true;
        private int txBudget;
        private int busyPollUs;
        private int busyPollBudget;
        private int busyPollHoldUs = 50;
        private int fillBatch = 16;
        private int maxKicksPerTx = 16;
        private boolean frameAccounting = Boolean.getBoolean(FRAME_ACCOUNTING_PROPERTY);

        private Builder(String interfaceName) {
            this.interfaceName = interfaceName;
        }

        public Builder name(String value) {
            name = value;
            return this;
        }

        public Builder queues(Integer... value) {
            queues = List.of(value);
            return this;
        }

        public Builder queues(List<Integer> value) {
            queues = value;
            return this;
        }

        public Builder frameCount(int value) {
            frameCount = value;
            return this;
        }

        public Builder chunkSize(int value) {
            chunkSize = value;
            return this;
        }

        public Builder headroom(int value) {
            headroom = value;
            return this;
        }

        public Builder hugePages(boolean value) {
            hugePages = value;
            return this;
        }

        public Builder ringSize(int value) {
            ringSize = value;
            return this;
        }

        public Builder mode(XskBindMode value) {
            mode = value;
            return this;
        }

        public Builder needWakeup(boolean value) {
            needWakeup = value;
            return this;
        }

        public Builder txBudget(int value) {
            txBudget = value;
            return this;
        }

        public Builder busyPoll(int microseconds, int budget, int holdMicroseconds) {
            busyPollUs = microseconds;
            busyPollBudget = budget;
            busyPollHoldUs = holdMicroseconds;
            return this;
        }

        public Builder fillBatch(int value) {
            fillBatch = value;
            return this;
        }

        public Builder maxKicksPerTx(int value) {
            maxKicksPerTx = value;
            return this;
        }

        public Builder frameAccounting(boolean value) {
            frameAccounting = value;
            return this;
        }

        public AfXdpPortConfig build() {
            return new AfXdpPortConfig(name, interfaceName, queues, frameCount, chunkSize, headroom, hugePages, ringSize,
                    mode, needWakeup, txBudget, busyPollUs, busyPollBudget, busyPollHoldUs, fillBatch, maxKicksPerTx, frameAccounting);
        }
    }
}
