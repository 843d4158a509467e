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

    /** Values whose bins {@link #add} finds before counting them (their bins then fill 16 KB). */
    private static final int CHUNK = 4096;

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

    /**
     * Counts |v| of {@code length} values starting at {@code offset}, in chunks of up to {@value #CHUNK}: first the
     * bins of a chunk's values, then the counts. The first loop has no branch on the value (a ReLU's output is zero
     * a third of the time or more, where the CPU cannot foresee it, and a mispredicted branch costs more than finding
     * a bin): every value writes its bin, and only a nonzero |v| within [0, hi] moves on past it; zeros are counted
     * aside.
     */
    public void add(float[] data, int offset, int length) {
        int nb = counts.length;
        double toBin = nb / (double) hi;
        int hiBits = Float.floatToRawIntBits(hi);
        int[] bins = new int[Math.min(length, CHUNK)];
        for (int start = offset, end = offset + length; start < end; start += CHUNK) {
            int stop = Math.min(end, start + CHUNK);
            int found = 0;
            int zerosHere = 0;
            for (int i = start; i < stop; i++) {
                float a = Math.abs(data[i]);
                int k = Math.min((int) (a * toBin), nb - 1);
                // The guess can be one off where float32 edges round; settle it against the edges themselves
                // (edges[0] = 0 ends the first loop; NaN and |v| > hi end both, and are not kept).
                while (a < edges[k]) {
                    k--;
                }
                while (k < nb - 1 && a >= edges[k + 1]) {
                    k++;
                }
                // |v|'s bits order as its value does, NaN above +infinity: 1 for nonzero, 1 for at most hi
                int bits = Float.floatToRawIntBits(a);
                int nonzero = (bits | -bits) >>> 31;
                int inRange = (hiBits - bits) >>> 31 ^ 1;
                bins[found] = k;
                found += nonzero & inRange;
                zerosHere += nonzero ^ 1;
            }
            for (int j = 0; j < found; j++) {
                counts[bins[j]]++;
            }
            counts[0] += zerosHere;
            zeros += zerosHere;
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
