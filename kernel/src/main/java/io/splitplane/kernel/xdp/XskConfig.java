package io.splitplane.kernel.xdp;

import java.util.Objects;

/**
 * What an {@link XskSocket} binds to and how big its rings are. Validated when built, before any
 * syscall; messages name the field ({@code "fillRingSize=100 is not a power of two"}).
 *
 * <p>Ring sizes are entry counts: powers of two in {@link #MIN_RING_SIZE}..{@link #MAX_RING_SIZE}.
 * {@code rxRingSize} or {@code txRingSize} may be 0 (no such ring, e.g. a TX-only socket), not both.
 * FILL and COMPLETION sizes apply to the socket that registers the UMEM and to sharing sockets on a
 * different (device, queue); a sharing socket on the same (device, queue) uses its owner's rings.
 *
 * @param ifindex interface index in the namespace the socket is created in; 0 when {@code interfaceName} is given
 * @param interfaceName interface name, resolved when the socket is created; null when {@code ifindex} is given
 * @param queueId receive/transmit queue of the device
 * @param rxRingSize RX ring entries, or 0 for none
 * @param txRingSize TX ring entries, or 0 for none
 * @param fillRingSize FILL ring entries
 * @param completionRingSize COMPLETION ring entries
 * @param mode copy / zero-copy / let the kernel choose
 * @param needWakeup bind with {@code XDP_USE_NEED_WAKEUP} (recommended: the kernel tells, through the
 *        ring flags, when a syscall is needed)
 * @param txBudget copy-mode descriptors per TX kick ({@code XDP_MAX_TX_SKB_BUDGET}), 32..txRingSize;
 *        0 keeps the kernel default (32)
 * @param busyPollUs {@code SO_BUSY_POLL} microseconds (with {@code SO_PREFER_BUSY_POLL}); 0 = off
 * @param busyPollBudget {@code SO_BUSY_POLL_BUDGET}; 0 = kernel default
 */
public record XskConfig(int ifindex, String interfaceName, int queueId, int rxRingSize, int txRingSize,
                        int fillRingSize, int completionRingSize, XskBindMode mode, boolean needWakeup,
                        int txBudget, int busyPollUs, int busyPollBudget) {
    /**
     * Smallest ring accepted. The kernel takes any power of two, but copy-mode TX moves 32
     * descriptors per kick ({@code TX_BATCH_SIZE}) and the graph works in vectors; smaller rings only
     * ever make a socket stall.
     */
    public static final int MIN_RING_SIZE = 32;
    /** Largest ring accepted (16 Mi entries, 256 MiB for RX/TX). */
    public static final int MAX_RING_SIZE = 1 << 24;
    /** libxdp's default ring size. */
    public static final int DEFAULT_RING_SIZE = 2048;
    /** The kernel's default and minimum copy-mode TX budget ({@code TX_BATCH_SIZE}). */
    public static final int MIN_TX_BUDGET = 32;
    private static final int IFNAMSIZ = 16;

    public XskConfig {
        Objects.requireNonNull(mode, "mode");
        if (interfaceName == null) {
            if (ifindex <= 0) {
                throw new IllegalArgumentException("ifindex=" + ifindex
                        + " is not an interface index (give ifindex >= 1 or interfaceName)");
            }
        } else {
            if (ifindex != 0) {
                throw new IllegalArgumentException("give ifindex or interfaceName, not both: ifindex=" + ifindex
                        + ", interfaceName=" + interfaceName);
            }
            if (interfaceName.isEmpty() || interfaceName.length() >= IFNAMSIZ || interfaceName.indexOf('/') >= 0
                    || interfaceName.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("interfaceName='" + interfaceName
                        + "' is not a valid interface name (1.." + (IFNAMSIZ - 1) + " characters, no '/' or spaces)");
            }
        }
        if (queueId < 0) {
            throw new IllegalArgumentException("queueId=" + queueId + " is negative");
        }
        if (rxRingSize == 0 && txRingSize == 0) {
            throw new IllegalArgumentException("rxRingSize=0 and txRingSize=0: a socket needs an RX or a TX ring");
        }
        if (rxRingSize != 0) {
            checkRingSize("rxRingSize", rxRingSize);
        }
        if (txRingSize != 0) {
            checkRingSize("txRingSize", txRingSize);
        }
        checkRingSize("fillRingSize", fillRingSize);
        checkRingSize("completionRingSize", completionRingSize);
        if (txBudget != 0) {
            if (txRingSize == 0) {
                throw new IllegalArgumentException("txBudget=" + txBudget + " needs a TX ring (txRingSize=0)");
            }
            if (txBudget < MIN_TX_BUDGET || txBudget > txRingSize) {
                throw new IllegalArgumentException("txBudget=" + txBudget + " is outside " + MIN_TX_BUDGET
                        + "..txRingSize=" + txRingSize);
            }
        }
        if (busyPollUs < 0) {
            throw new IllegalArgumentException("busyPollUs=" + busyPollUs + " is negative");
        }
        if (busyPollBudget < 0) {
            throw new IllegalArgumentException("busyPollBudget=" + busyPollBudget + " is negative");
        }
    }

    private static void checkRingSize(String field, int value) {
        if (value <= 0 || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(field + "=" + value + " is not a power of two");
        }
        if (value < MIN_RING_SIZE) {
            throw new IllegalArgumentException(field + "=" + value + " is below the minimum " + MIN_RING_SIZE);
        }
        if (value > MAX_RING_SIZE) {
            throw new IllegalArgumentException(field + "=" + value + " is above the maximum " + MAX_RING_SIZE);
        }
    }

    /** A builder with libxdp's defaults: 2048-entry rings, AUTO mode, need-wakeup on, queue 0. */
    public static Builder builder() {
        return new Builder();
    }

    /** This configuration as a builder, to change a field. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.ifindex = ifindex;
        b.interfaceName = interfaceName;
        b.queueId = queueId;
        b.rxRingSize = rxRingSize;
        b.txRingSize = txRingSize;
        b.fillRingSize = fillRingSize;
        b.completionRingSize = completionRingSize;
        b.mode = mode;
        b.needWakeup = needWakeup;
        b.txBudget = txBudget;
        b.busyPollUs = busyPollUs;
        b.busyPollBudget = busyPollBudget;
        return b;
    }

    /** Bind flags this configuration asks for (without {@code XDP_SHARED_UMEM}). */
    public int bindFlags() {
        return mode.flag() | (needWakeup ? AfXdp.XDP_USE_NEED_WAKEUP : 0);
    }

    /** The device as text for messages. */
    public String device() {
        return interfaceName != null ? interfaceName : "ifindex " + ifindex;
    }

    /** Builds an {@link XskConfig}; {@link #build()} validates. */
    public static final class Builder {
        private int ifindex;
        private String interfaceName;
        private int queueId;
        private int rxRingSize = DEFAULT_RING_SIZE;
        private int txRingSize = DEFAULT_RING_SIZE;
        private int fillRingSize = DEFAULT_RING_SIZE;
        private int completionRingSize = DEFAULT_RING_SIZE;
        private XskBindMode mode = XskBindMode.AUTO;
        private boolean needWakeup = true;
        private int txBudget;
        private int busyPollUs;
        private int busyPollBudget;

        private Builder() {
        }

        /** Binds to this interface index (clears a name). */
        public Builder ifindex(int value) {
            ifindex = value;
            interfaceName = null;
            return this;
        }

        /** Binds to this interface, resolved in the namespace the socket is created in (clears an index). */
        public Builder interfaceName(String value) {
            interfaceName = value;
            ifindex = 0;
            return this;
        }

        public Builder queueId(int value) {
            queueId = value;
            return this;
        }

        public Builder rxRingSize(int value) {
            rxRingSize = value;
            return this;
        }

        public Builder txRingSize(int value) {
            txRingSize = value;
            return this;
        }

        public Builder fillRingSize(int value) {
            fillRingSize = value;
            return this;
        }

        public Builder completionRingSize(int value) {
            completionRingSize = value;
            return this;
        }

        /** Sets all four ring sizes. */
        public Builder ringSizes(int value) {
            rxRingSize = value;
            txRingSize = value;
            fillRingSize = value;
            completionRingSize = value;
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

        public Builder busyPoll(int microseconds, int budget) {
            busyPollUs = microseconds;
            busyPollBudget = budget;
            return this;
        }

        public XskConfig build() {
            return new XskConfig(ifindex, interfaceName, queueId, rxRingSize, txRingSize, fillRingSize,
                    completionRingSize, mode, needWakeup, txBudget, busyPollUs, busyPollBudget);
        }
    }
}
