package xportdnn.calib;

import java.io.Serializable;

/**
 * First-pass statistics of one blob over a calibration run: element count, the extremes of |x| and the raw
 * moments. Two shards' ranges {@link #merge merge} exactly (counts add, extremes take min/max, sums add), so a
 * calibration split across machines gives the same range as one run.
 *
 * <p>Serializable: Spark tasks return it to the driver ({@code --spark}).
 */
public final class ActivationRange implements Serializable {

    private static final long serialVersionUID = 1L;

    private long count;
    private float maxAbs;
    private float minAbs = Float.POSITIVE_INFINITY;
    private double sum;
    private double sumSquares;

    public ActivationRange() {
    }

    /**
     * A range as a saved one holds it (see {@code proto/statistics.proto}).
     *
     * @throws IllegalArgumentException for numbers no calibration can have measured
     */
    public static ActivationRange of(long count, float maxAbs, float minAbs, double sum, double sumSquares) {
        if (count < 0 || !Float.isFinite(maxAbs) || !(maxAbs >= 0) || !(minAbs >= 0) || !Double.isFinite(sum)
                || !Double.isFinite(sumSquares) || !(sumSquares >= 0)) {
            throw new IllegalArgumentException("a range of " + count + " values with max |x| " + maxAbs + ", min |x| "
                    + minAbs + ", sum " + sum + " and sum of squares " + sumSquares);
        }
        ActivationRange r = new ActivationRange();
        r.count = count;
        r.maxAbs = maxAbs;
        r.minAbs = minAbs;
        r.sum = sum;
        r.sumSquares = sumSquares;
        return r;
    }

    /** Adds {@code length} values of {@code data} starting at {@code offset}. */
    public void add(float[] data, int offset, int length) {
        float hi = maxAbs;
        float lo = minAbs;
        double s = 0;
        double s2 = 0;
        for (int i = offset; i < offset + length; i++) {
            float v = data[i];
            float a = Math.abs(v);
            if (a > hi) {
                hi = a;
            }
            if (a < lo) {
                lo = a;
            }
            s += v;
            s2 += (double) v * v;
        }
        maxAbs = hi;
        minAbs = lo;
        sum += s;
        sumSquares += s2;
        count += length;
    }

    public void merge(ActivationRange other) {
        count += other.count;
        maxAbs = Math.max(maxAbs, other.maxAbs);
        minAbs = Math.min(minAbs, other.minAbs);
        sum += other.sum;
        sumSquares += other.sumSquares;
    }

    /** Whether both hold the same numbers, bit for bit. */
    public boolean sameAs(ActivationRange other) {
        return count == other.count && Float.compare(maxAbs, other.maxAbs) == 0
                && Float.compare(minAbs, other.minAbs) == 0 && Double.compare(sum, other.sum) == 0
                && Double.compare(sumSquares, other.sumSquares) == 0;
    }

    public long count() {
        return count;
    }

    /** Largest |x| seen (0 before any value). */
    public float maxAbs() {
        return maxAbs;
    }

    /** Smallest |x| seen (+infinity before any value). */
    public float minAbs() {
        return minAbs;
    }

    /** Whether every value added was finite (an infinite or NaN one leaves the sum non-finite for good). */
    public boolean finite() {
        return Double.isFinite(sum);
    }

    /** Sum of the values. */
    public double sum() {
        return sum;
    }

    /** Sum of the squared values. */
    public double sumSquares() {
        return sumSquares;
    }

    public double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /** Population standard deviation. */
    public double std() {
        if (count == 0) {
            return 0;
        }
        double m = mean();
        return Math.sqrt(Math.max(0, sumSquares / count - m * m));
    }

    /** Root mean square. */
    public double rms() {
        return count == 0 ? 0 : Math.sqrt(sumSquares / count);
    }
}
