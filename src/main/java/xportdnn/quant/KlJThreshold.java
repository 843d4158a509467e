package xportdnn.quant;

import xportdnn.calib.AbsHistogram;
import xportdnn.calib.ActivationRange;
import xportdnn.calib.BlobHistograms;

/**
 * The original XportDNN's activation threshold ("KL-J on the CDF", algorithms.md section A): the symmetric
 * Kullback-Leibler (Jeffreys) divergence between the cumulative histogram of |x| and its re-sampling onto
 * 2^(bw-1) levels, minimised over candidate clipping bins. The histogram layout follows numpy's 'sqrt' rule over
 * (0, max|x|) in float32, as the original did, so the same bin is chosen.
 */
public final class KlJThreshold implements ThresholdMethod {

    private static final double LN2 = Math.log(2);

    @Override
    public String name() {
        return "kl-j";
    }

    /**
     * numpy's 'sqrt' bin count for |x| over (0, max|x|): width = (max - min)/sqrt(N) in float32 / float64 as
     * numpy computes it, bins = ceil(max / width); one bin when every |x| is equal.
     */
    public static int binCount(ActivationRange range) {
        if (range.count() == 0 || !(range.maxAbs() > 0)) {
            return 1;
        }
        float ptp = range.maxAbs() - range.minAbs();
        double width = ptp / Math.sqrt(range.count());
        if (width == 0) {
            return 1;
        }
        double bins = Math.ceil(range.maxAbs() / width);
        if (bins > Integer.MAX_VALUE - 1) {
            throw new IllegalStateException("too many histogram bins: " + bins);
        }
        return (int) bins;
    }

    @Override
    public double threshold(BlobHistograms stats, int bitwidth) {
        float mx = stats.range().maxAbs();
        if (Math.abs(mx) <= 1e-8) {
            return 0; // np.isclose(mx, 0)
        }
        return threshold(stats.sqrtRule(), mx, bitwidth);
    }

    /** Section A on a histogram laid out by {@link #binCount}; {@code mx} is max|x|. */
    static double threshold(AbsHistogram h, float mx, int bitwidth) {
        int nb = h.bins();
        int n = 1 << (bitwidth - 1);
        if (n + 1 > nb) {
            return h.edge(nb);
        }
        double[] cdf = cumulativeDensity(h);
        // Past the candidate bin i, p = q = 1, so those terms do not depend on i: sum them once from the end.
        double[] tail = new double[nb + 1];
        for (int k = nb - 1; k >= 0; k--) {
            tail[k] = tail[k + 1] + term(cdf[k], 1.0);
        }
        double[] levels = Interp.linspace01(n);
        double[] down = new double[n];
        double best = Double.POSITIVE_INFINITY;
        int bestI = -1;
        double[] p = new double[nb];
        for (int i = n + 1; i <= nb; i++) {
            System.arraycopy(cdf, 0, p, 0, i - 1);
            p[i - 1] = 1;
            double[] grid = Interp.linspace01(i);
            Interp.interp(levels, grid, p, down);
            double d = tail[i];
            for (int k = 0; k < i; k++) {
                double q = Interp.interpAt(grid[k], levels, down);
                if (q == 0) {
                    return mx; // empty first bins: the original falls back to max |x|
                }
                d += term(cdf[k], q);
            }
            if (d < best) {
                best = d;
                bestI = i;
            }
        }
        return (bestI + 0.5) * (double) h.width(0);
    }

    private static double term(double c, double q) {
        return (c - q) * (Math.log(c / q) / LN2);
    }

    /** numpy's {@code cumsum(h / sum(h))} of the density histogram {@code count / width / total}. */
    private static double[] cumulativeDensity(AbsHistogram h) {
        int nb = h.bins();
        double total = h.total();
        double[] dens = new double[nb];
        double sum = 0;
        for (int k = 0; k < nb; k++) {
            dens[k] = h.count(k) / (double) h.width(k) / total;
            sum += dens[k];
        }
        double[] cdf = new double[nb];
        double c = 0;
        for (int k = 0; k < nb; k++) {
            c += dens[k] / sum;
            cdf[k] = c;
        }
        return cdf;
    }
}
