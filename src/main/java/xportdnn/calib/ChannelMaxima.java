package xportdnn.calib;

import java.io.Serializable;

/**
 * The first pass of {@link ChannelStatistics}: each channel's largest |x| in a blob laid out N x C x (plane).
 * Merges exactly (the larger of two maxima) in any order.
 *
 * <p>Serializable: Spark tasks return it to the driver ({@code --spark}).
 */
public final class ChannelMaxima implements Serializable {

    private static final long serialVersionUID = 1L;

    private final float[] maxAbs;

    public ChannelMaxima(int channels) {
        maxAbs = new float[channels];
    }

    /** Counts a batch of values laid out N x C x (plane), C = the channels given. */
    public void add(float[] data, int plane) {
        check(data.length, maxAbs.length, plane);
        for (int start = 0, c = 0; start < data.length; start += plane, c = (c + 1) % maxAbs.length) {
            float m = maxAbs[c];
            for (int i = start; i < start + plane; i++) {
                m = Math.max(m, Math.abs(data[i]));
            }
            maxAbs[c] = m;
        }
    }

    public void merge(ChannelMaxima other) {
        if (other.maxAbs.length != maxAbs.length) {
            throw new IllegalArgumentException(other.maxAbs.length + " channels merged into " + maxAbs.length);
        }
        for (int c = 0; c < maxAbs.length; c++) {
            maxAbs[c] = Math.max(maxAbs[c], other.maxAbs[c]);
        }
    }

    /** Every channel's largest |x| so far. */
    public float[] maxAbs() {
        return maxAbs.clone();
    }

    /** Refuses {@code length} values that are not images of {@code channels} planes of {@code plane} values. */
    static void check(int length, int channels, int plane) {
        if (plane < 1 || length % ((long) channels * plane) != 0) {
            throw new IllegalArgumentException(length + " values are not images of " + channels + " planes of "
                    + plane);
        }
    }
}
