package io.splitplane.api.dataplane;

import io.splitplane.api.InvalidConfigException;

/**
 * The packet memory of each worker: one UMEM shared by all the worker's ports (so a frame received
 * on one port is sent on another without a copy).
 *
 * @param frames    frames per worker UMEM, a power of two, 64..1048576 (default 8192)
 * @param frameSize bytes per frame: 2048 or 4096 (default 2048)
 * @param ringSize  entries of every AF_XDP ring (FILL, COMPLETION, RX, TX), a power of two,
 *                  64..16384 (default 2048); every port's FILL rings are primed from the frames, so
 *                  size frames for at least 2 x ringSize per queue
 */
public record UmemConfig(Integer frames, Integer frameSize, Integer ringSize) {
    public static final int DEFAULT_FRAMES = 8192;
    public static final int DEFAULT_FRAME_SIZE = 2048;
    public static final int DEFAULT_RING_SIZE = 2048;

    public UmemConfig {
        if (frames == null) {
            frames = DEFAULT_FRAMES;
        }
        if (frameSize == null) {
            frameSize = DEFAULT_FRAME_SIZE;
        }
        if (ringSize == null) {
            ringSize = DEFAULT_RING_SIZE;
        }
        if (frames < 64 || frames > 1 << 20 || Integer.bitCount(frames) != 1) {
            throw InvalidConfigException.field("frames", "must be a power of two in 64-1048576, was " + frames);
        }
        if (frameSize != 2048 && frameSize != 4096) {
            throw InvalidConfigException.field("frameSize", "must be 2048 or 4096, was " + frameSize);
        }
        if (ringSize < 64 || ringSize > 16384 || Integer.bitCount(ringSize) != 1) {
            throw InvalidConfigException.field("ringSize", "must be a power of two in 64-16384, was " + ringSize);
        }
    }

    /** The defaults. */
    public static UmemConfig defaults() {
        return new UmemConfig(null, null, null);
    }
}
