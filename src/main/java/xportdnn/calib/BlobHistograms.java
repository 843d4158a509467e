package xportdnn.calib;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import xportdnn.precision.ShareThread;

/**
 * Second-pass statistics of one blob, built once its {@link ActivationRange} over the whole calibration run is
 * known: a histogram of |x| with the bin count the KL-J method asks for (numpy's 'sqrt' rule depends on the
 * element count and min |x|, so it can only be laid out after the first pass), a fine {@value #FINE_BINS}-bin
 * histogram that the other methods read (exactly coarsened to TensorRT's 2048 bins), and the sum of |x - mean|
 * for the Laplace scale. Merges exactly with another shard's built on the same range.
 *
 * <p>Serializable: Spark tasks return it to the driver ({@code --spark}).
 */
public final class BlobHistograms implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Bins of the fine histogram: a power of two, so 2048-bin views are exact. */
    public static final int FINE_BINS = 8192;

    /** Values from which {@link #add} fills the statistics in parallel (a few hundred microseconds of work). */
    private static final int PARALLEL_VALUES = 1 << 16;

    private final ActivationRange range;
    private final AbsHistogram sqrtRule;
    private final AbsHistogram fine;
    private double sumAbsDeviation;

    /**
     * @param range      the blob's range over the whole run (all shards merged)
     * @param sqrtBins   bin count of the KL-J histogram
     */
    public BlobHistograms(ActivationRange range, int sqrtBins) {
        this.range = range;
        boolean empty = !(range.maxAbs() > 0);
        this.sqrtRule = empty ? null : new AbsHistogram(range.maxAbs(), sqrtBins);
        this.fine = empty ? null : new AbsHistogram(range.maxAbs(), FINE_BINS);
    }

    /**
     * Histograms as a saved file holds them, laid out on {@code range}: both null when the range is all zeros,
     * else both over [0, max |x|], {@code fine} with {@value #FINE_BINS} bins.
     */
    public static BlobHistograms of(ActivationRange range, AbsHistogram sqrtRule, AbsHistogram fine,
                                    double sumAbsDeviation) {
        boolean empty = !(range.maxAbs() > 0);
        if (empty != (sqrtRule == null) || empty != (fine == null)) {
            throw new IllegalArgumentException(empty ? "histograms of an all-zero output"
                    : "missing histograms of an output up to " + range.maxAbs());
        }
        if (!empty && (sqrtRule.hi() != range.maxAbs() || fine.hi() != range.maxAbs() || fine.bins() != FINE_BINS)) {
            throw new IllegalArgumentException("histograms over [0, " + fine.hi() + "] x " + fine.bins()
                    + " are not laid out on the range [0, " + range.maxAbs() + "] x " + FINE_BINS);
        }
        BlobHistograms h = new BlobHistograms(range, empty ? 1 : sqrtRule.bins());
        if (!empty) {
            h.sqrtRule.merge(sqrtRule);
            h.fine.merge(fine);
        }
        h.sumAbsDeviation = sumAbsDeviation;
        return h;
    }

    /**
     * Counts {@code length} values of {@code data} starting at {@code offset}. Its three statistics are independent,
     * so a large stretch fills them on up to three threads at once, each in the order one thread would: the same
     * numbers.
     */
    public void add(float[] data, int offset, int length) {
        List<Runnable> parts = new ArrayList<>(3);
        parts.add(() -> addDeviations(data, offset, length));
        if (sqrtRule != null) {
            parts.add(() -> sqrtRule.add(data, offset, length));
            parts.add(() -> fine.add(data, offset, length));
        }
        (length >= PARALLEL_VALUES && !ShareThread.inShare() ? parts.parallelStream() : parts.stream())
                .forEach(Runnable::run);
    }

    private void addDeviations(float[] data, int offset, int length) {
        double mean = range.mean();
        double s = 0;
        for (int i = offset; i < offset + length; i++) {
            s += Math.abs(data[i] - mean);
        }
        sumAbsDeviation += s;
    }

    public void merge(BlobHistograms other) {
        if (sqrtRule != null) {
            sqrtRule.merge(other.sqrtRule);
            fine.merge(other.fine);
        }
        sumAbsDeviation += other.sumAbsDeviation;
    }

    public ActivationRange range() {
        return range;
    }

    /** The KL-J histogram, or null when the blob is all zeros. */
    public AbsHistogram sqrtRule() {
        return sqrtRule;
    }

    /** The fine histogram, or null when the blob is all zeros. */
    public AbsHistogram fine() {
        return fine;
    }

    /** Sum of |x - mean| over the counted values. */
    public double sumAbsDeviation() {
        return sumAbsDeviation;
    }

    /** Mean absolute deviation from the mean: the Laplace scale b. */
    public double meanAbsDeviation() {
        return range.count() == 0 ? 0 : sumAbsDeviation / range.count();
    }
}
