package xportdnn.calib;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A histogram of |x| over [0, hi] with equal bins whose edges are those numpy's {@code np.histogram(|x|, nb,
 * range=(0, hi))} builds for float32 data: {@code edge[k] = (float) (k * ((double) hi / nb))}, the last edge
 * exactly {@code hi}, and a value v counted in bin k when {@code edge[k] <= v < edge[k+1]} (the last bin closed).
 * Values above {@code hi} are not counted. Exact zeros are also counted separately, since some methods skip them.
 *
 * <p>Two histograms with the same {@code hi} and bin count {@link #merge merge} exactly. With a power-of-two bin
 * count the edges of a coarser power-of-two grid are a subset of the finer one's, so {@link #coarsen} is lossless.
 *
 * <p>Serializable: Spark tasks return it to the driver ({@code --spark}).
 */
public final class AbsHistogram implements Serializable {

    private static final long serialVersionUID = 1L;

    private final float hi;
    private final float[] edges;
    private final long[] counts;
    private long zeros;

    public AbsHistogram(float hi, int bins) {
        if (!(hi > 0) || Float.isInfinite(hi)) {
            throw new IllegalArgumentException("histogram range must be (0, finite], got " + hi);
        }
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
        this.hi = hi;
        this.edges = numpyEdges(hi, bins);
        this.counts = new long[bins];
    }

    private AbsHistogram(float hi, float[] edges, long[] counts, long zeros) {
        this.hi = hi;
        this.edges = edges;
        this.counts = counts;
        this.zeros = zeros;
    }

    /** A histogram as a saved one holds it: its range, its counts and how many of them were exact zeros. */
    public static AbsHistogram of(float hi, long[] counts, long zeros) {
        AbsHistogram h = new AbsHistogram(hi, counts.length);
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] < 0) {
                throw new IllegalArgumentException("negative count in bin " + k);
            }
            h.counts[k] = counts[k];
        }
        if (zeros < 0 || zeros > counts[0]) {
            throw new IllegalArgumentException(zeros + " zeros in a first bin of " + counts[0]);
        }
        h.zeros = zeros;
        return h;
    }

    /** The float32 bin edges of {@code np.linspace(0, hi, bins + 1, dtype=float32)}. */
    static float[] numpyEdges(float hi, int bins) {
        float[] e = new float[bins + 1];
        double step = (double) hi / bins;
        for (int k = 0; k < bins; k++) {
            e[k] = (float) (k * step);
        }
        e[bins] = hi;
        return e;
    }

    /** Counts |v| of {@code length} values starting at {@code offset}. */
    public void add(float[] data, int offset, int length) {
        int nb = counts.length;
        double toBin = nb / (double) hi;
        for (int i = offset; i < offset + length; i++) {
            float a = Math.abs(data[i]);
            if (a == 0f) {
                zeros++;
                counts[0]++;
                continue;
            }
            if (!(a <= hi)) {
                continue;
            }
            int k = (int) (a * toBin);
            if (k >= nb) {
                k = nb - 1;
            }
            // The guess can be one off where float32 edges round; settle it against the edges themselves.
            while (k > 0 && a < edges[k]) {
                k--;
            }
            while (k < nb - 1 && a >= edges[k + 1]) {
                k++;
            }
            counts[k]++;
        }
    }

    public void merge(AbsHistogram other) {
        if (other.hi != hi || other.counts.length != counts.length) {
            throw new IllegalArgumentException("cannot merge histograms over different bins: [0, " + hi + "] x "
                    + counts.length + " and [0, " + other.hi + "] x " + other.counts.length);
        }
        for (int k = 0; k < counts.length; k++) {
            counts[k] += other.counts[k];
        }
        zeros += other.zeros;
    }

    /** The same data on {@code bins() / factor} bins, each the sum of {@code factor} adjacent ones. */
    public AbsHistogram coarsen(int factor) {
        if (factor < 1 || counts.length % factor != 0 || Integer.bitCount(factor) != 1) {
            throw new IllegalArgumentException("cannot coarsen " + counts.length + " bins by " + factor);
        }
        int nb = counts.length / factor;
        long[] c = new long[nb];
        for (int k = 0; k < counts.length; k++) {
            c[k / factor] += counts[k];
        }
        return new AbsHistogram(hi, numpyEdges(hi, nb), c, zeros);
    }

    public float hi() {
        return hi;
    }

    public int bins() {
        return counts.length;
    }

    public long count(int bin) {
        return counts[bin];
    }

    /** Lower edge of bin k (k = bins() gives hi). */
    public float edge(int k) {
        return edges[k];
    }

    /** Width of bin k in float32, as numpy's {@code np.diff(edges)} gives it. */
    public float width(int k) {
        return edges[k + 1] - edges[k];
    }

    /** Number of exact zeros among the counted values (they are also in bin 0). */
    public long zeros() {
        return zeros;
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    public long[] counts() {
        return Arrays.copyOf(counts, counts.length);
    }
}
