package io.splitplane.dataplane.port;

import java.lang.foreign.Arena;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Two {@link MemoryPort}s joined back to back over one off-heap {@link PacketMemory}: what A sends
 * B receives, and the other way round, through lock-free single-producer/single-consumer rings.
 * For tests and benchmarks of the graph without a kernel: the graph polls and sends on one side,
 * the test injects and collects on the other (same thread or another).
 *
 * <pre>{@code
 * try (MemoryPortPair wire = MemoryPortPair.create(MemoryPortPair.Config.named("a", "b"))) {
 *     Graph g = Graph.builder("w0").node(new PortRxNode(wire.a(), "port-tx-a")).node(new PortTxNode(wire.a())).build();
 *     wire.b().send(bytes);   // arrives at a
 *     g.run();                // a -> a's tx -> b's rx
 *     wire.b().rx(vector, 256, 0);
 * }
 * }</pre>
 *
 * Frames start in the two sides' pools ({@link Config#framesForA()} on A, the rest on B). Frame
 * conservation: with both sides quiet and nothing held elsewhere,
 * {@link #framesAccounted()} equals the frame count.
 */
public final class MemoryPortPair implements AutoCloseable {
    private final Arena arena;
    private final PacketMemory memory;
    private final MemoryPort a;
    private final MemoryPort b;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param nameA name of side A
     * @param nameB name of side B
     * @param frameCount frames in the memory
     * @param chunkSize bytes per frame, a power of two
     * @param ringSize entries of each side's receive ring, a power of two
     * @param framesForA frames that start in A's pool (the rest start in B's)
     */
    public record Config(String nameA, String nameB, int frameCount, int chunkSize, int ringSize, int framesForA) {
        public Config {
            Objects.requireNonNull(nameA, "nameA");
            Objects.requireNonNull(nameB, "nameB");
            if (nameA.equals(nameB)) {
                throw new IllegalArgumentException("nameA and nameB are both '" + nameA + "'");
            }
            if (framesForA < 0 || framesForA > frameCount) {
                throw new IllegalArgumentException("framesForA=" + framesForA + " is outside 0..frameCount=" + frameCount);
            }
        }

        /** 4096 frames of 2048 bytes, 1024-entry rings, half the frames on each side. */
        public static Config named(String nameA, String nameB) {
            return new Config(nameA, nameB, 4096, 2048, 1024, 2048);
        }

        public Config withFrames(int frameCount, int framesForA) {
            return new Config(nameA, nameB, frameCount, chunkSize, ringSize, framesForA);
        }

        public Config withRingSize(int value) {
            return new Config(nameA, nameB, frameCount, chunkSize, value, framesForA);
        }

        public Config withChunkSize(int value) {
            return new Config(nameA, nameB, frameCount, value, ringSize, framesForA);
        }
    }

    private MemoryPortPair(Config config, Arena arena, PacketMemory memory) {
        this.arena = arena;
        this.memory = memory;
        this.a = new MemoryPort(config.nameA(), memory, config.ringSize(), this::close);
        this.b = new MemoryPort(config.nameB(), memory, config.ringSize(), this::close);
        a.connect(b);
        b.connect(a);
    }

    /** A pair with its own memory, frames split between the sides' pools. */
    public static MemoryPortPair create(Config config) {
        Objects.requireNonNull(config, "config");
        Arena arena = Arena.ofShared();
        try {
            PacketMemory memory = PacketMemory.allocate(arena, config.frameCount(), config.chunkSize(),
                    PacketMemory.DEFAULT_DATA_OFFSET);
            MemoryPortPair pair = new MemoryPortPair(config, arena, memory);
            pair.a.pool().addFrames(0, config.framesForA());
            pair.b.pool().addFrames(config.framesForA(), config.frameCount() - config.framesForA());
            return pair;
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * A pair on {@code other}'s memory, with empty pools: frames come from {@code other}'s sides.
     * Lets one graph poll several memory ports (all ports of a graph share one memory). Close it
     * before {@code other}, which owns the memory; {@code config}'s frame fields are ignored.
     */
    public static MemoryPortPair sharing(Config config, MemoryPortPair other) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(other, "other");
        return new MemoryPortPair(config, null, other.memory);
    }

    public MemoryPort a() {
        return a;
    }

    public MemoryPort b() {
        return b;
    }

    public PacketMemory memory() {
        return memory;
    }

    /**
     * Frames in both pools plus frames on both rings. Call only when neither side is being driven;
     * equals {@code memory().frameCount()} when no frame is held anywhere else (and no other pair
     * shares the memory).
     */
    public int framesAccounted() {
        return a.pool().available() + b.pool().available() + a.rxPending() + b.rxPending();
    }

    /** Frees the memory (if this pair owns it), once. Stop the threads driving the sides first. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && arena != null) {
            arena.close();
        }
    }
}
