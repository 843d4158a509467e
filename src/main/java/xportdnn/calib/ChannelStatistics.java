package xportdnn.calib;

import java.io.Serializable;

/**
 * Per-channel statistics of one blob (axis 1 of N x C x ...): each channel's largest |x| and a histogram of its |x|
 * laid out on that maximum, {@value #BINS} bins (TensorRT's count). Built in two passes as the per-blob statistics
 * are ({@link ChannelMaxima} first): the histograms can only be laid out once every channel's range over the whole
 * run is known. Two shards' statistics built on the same maxima {@link #merge merge} exactly (counts add).
 *
 * <p>Serializable: Spark tasks return it to the driver ({@code --spark}).
 */
public final class ChannelStatistics implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Bins of each channel's histogram. */
    public static final int BINS = 2048;

    private final float[] maxAbs;
    /** Per channel, null when the channel is all zeros. */
    private final AbsHistogram[] histograms;

    /** Empty histograms on the channels' maxima ({@link ChannelMaxima#maxAbs}). */
    public ChannelStatistics(float[] maxAbs) {
        this.maxAbs = maxAbs.clone();
        histograms = new AbsHistogram[maxAbs.length];
        for (int c = 0; c < maxAbs.length; c++) {
            histograms[c] = maxAbs[c] > 0 ? new AbsHistogram(maxAbs[c], BINS) : null;
        }
    }

    /** Counts a batch of values laid out N x C x (plane), C = {@link #channels()}. */
    public void add(float[] data, int plane) {
        ChannelMaxima.check(data.length, maxAbs.length, plane);
        for (int start = 0, c = 0; start < data.length; start += plane, c = (c + 1) % maxAbs.length) {
            if (histograms[c] != null) {
                histograms[c].add(data, start, plane);
            }
        }
    }

    /** Adds another shard's counts, laid out on the same maxima. */
    public void merge(ChannelStatistics other) {
        if (!java.util.Arrays.equals(maxAbs, other.maxAbs)) {
            throw new IllegalArgumentException("channel statistics laid out on different maxima");
        }
        for (int c = 0; c < histograms.length; c++) {
            if (histograms[c] != null) {
                histograms[c].merge(other.histograms[c]);
            }
        }
    }

    public int channels() {
        return maxAbs.length;
    }

    /** Channel {@code c}'s largest |x|. */
    public float maxAbs(int c) {
        return maxAbs[c];
    }

    /** Channel {@code c}'s histogram of |x| over [0, {@link #maxAbs(int)}], or null when the channel is all zeros. */
    public AbsHistogram histogram(int c) {
        return histograms[c];
    }
}
