package io.splitplane.kernel.xdp;

/**
 * Where every UMEM chunk is, for proving that no frame is lost, duplicated or reused while the
 * kernel holds it. One byte of state per chunk; every method is allocation-free and checks the
 * transition, so a frame that comes back from a ring it was never given to, or comes back twice,
 * is caught at once.
 *
 * <pre>
 *            toFill                       fromRx
 *   USER ------------> KERNEL_RX -------------------> USER
 *   (app / free pool)  (FILL ring, in the kernel, or waiting on the RX ring)
 *            toTx                         fromCompletion
 *   USER ------------> KERNEL_TX -------------------> USER
 *                      (TX ring, being sent, or waiting on the COMPLETION ring)
 * </pre>
 *
 * At a quiet moment the counts must match the rings:
 * {@code count(KERNEL_RX) == fill.pending() + rx.available()} and
 * {@code count(KERNEL_TX) == tx.pending() + completion.available()} (copy mode; zero-copy drivers
 * may hold some frames in flight).
 *
 * <p>Aligned UMEMs only (the chunk of an address is its high bits). Single-threaded, like the rings.
 * A violation throws {@link IllegalStateException} naming the address and both states: it is a
 * bug, not back-pressure.
 */
public final class FrameLedger {
    /** Owned by user space: free, being processed, or being built. */
    public static final byte USER = 0;
    /** Given to the kernel through FILL; comes back through RX. */
    public static final byte KERNEL_RX = 1;
    /** Given to the kernel through TX; comes back through COMPLETION. */
    public static final byte KERNEL_TX = 2;

    private final Umem umem;
    private final byte[] state;
    private final int[] counts = new int[3];

    /** All chunks start as {@link #USER}. */
    public FrameLedger(Umem umem) {
        if (umem.isUnaligned()) {
            throw new IllegalArgumentException("FrameLedger needs an aligned UMEM");
        }
        this.umem = umem;
        this.state = new byte[umem.frameCount()];
        this.counts[USER] = umem.frameCount();
    }

    /** A frame goes onto the FILL ring. */
    public void toFill(final long addr) {
        move(addr, USER, KERNEL_RX, "toFill");
    }

    /** A frame came back on the RX ring. */
    public void fromRx(final long addr) {
        move(addr, KERNEL_RX, USER, "fromRx");
    }

    /** A frame goes onto the TX ring. */
    public void toTx(final long addr) {
        move(addr, USER, KERNEL_TX, "toTx");
    }

    /** A frame came back on the COMPLETION ring. */
    public void fromCompletion(final long addr) {
        move(addr, KERNEL_TX, USER, "fromCompletion");
    }

    /** State of the chunk holding {@code addr}. */
    public byte stateOf(final long addr) {
        return state[index(addr, "stateOf")];
    }

    /** Chunks in {@code s} ({@link #USER}, {@link #KERNEL_RX}, {@link #KERNEL_TX}). */
    public int count(final byte s) {
        return counts[s];
    }

    public int frames() {
        return state.length;
    }

    private void move(final long addr, final byte from, final byte to, final String what) {
        final int i = index(addr, what);
        final byte s = state[i];
        if (s != from) {
            throw new IllegalStateException(what + ": frame addr=" + addr + " (chunk " + i + ") is " + name(s)
                    + ", expected " + name(from));
        }
        state[i] = to;
        counts[from]--;
        counts[to]++;
    }

    private int index(final long addr, final String what) {
        final int i = umem.frameIndex(addr);
        if (i < 0) {
            throw new IllegalStateException(what + ": addr=" + addr + " is outside the UMEM (size=" + umem.size()
                    + ")");
        }
        return i;
    }

    /** Name of a state. */
    public static String name(final byte s) {
        return switch (s) {
            case USER -> "USER";
            case KERNEL_RX -> "KERNEL_RX";
            case KERNEL_TX -> "KERNEL_TX";
            default -> "state " + s;
        };
    }

    @Override
    public String toString() {
        return "FrameLedger[USER=" + counts[USER] + ", KERNEL_RX=" + counts[KERNEL_RX] + ", KERNEL_TX="
                + counts[KERNEL_TX] + "]";
    }
}
