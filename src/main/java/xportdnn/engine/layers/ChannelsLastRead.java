package xportdnn.engine.layers;

import java.nio.FloatBuffer;

/**
 * Copies channels-last float memory ({@code [N, H, W, C]}) into a Java array in channels-first order
 * ({@code [N, C, H, W]}), as the engine's convolution and pooling outputs are read by observers (calibration,
 * validate). ND4J's own way, a C-ordered duplicate of the permuted view, allocates and fills a native array of the
 * whole blob and then copies it again; this reads the memory once in runs of whole positions and scatters each run
 * into the channels' rows (about three times as fast on a 8 x 96 x 111 x 111 blob, see tools/ChannelsLastRead.java).
 */
final class ChannelsLastRead {

    /** Positions read per run: a run of all their channels stays in the L1 cache for its scatter. */
    private static final int POSITIONS = 64;

    private ChannelsLastRead() {
    }

    /**
     * {@code out[((i * channels + c) * positions) + p] = memory[((i * positions + p) * channels) + c]} for the
     * {@code images} images of {@code positions} (height x width) positions each.
     */
    static void intoChannelsFirst(FloatBuffer memory, int images, int positions, int channels, float[] out) {
        float[] run = new float[Math.min(positions, POSITIONS) * channels];
        for (int i = 0; i < images; i++) {
            int imageBase = i * positions * channels;
            for (int p0 = 0; p0 < positions; p0 += POSITIONS) {
                int count = Math.min(POSITIONS, positions - p0);
                memory.get(imageBase + p0 * channels, run, 0, count * channels);
                for (int c = 0; c < channels; c++) {
                    int to = imageBase + c * positions + p0;
                    for (int p = 0; p < count; p++) {
                        out[to + p] = run[p * channels + c];
                    }
                }
            }
        }
    }
}
