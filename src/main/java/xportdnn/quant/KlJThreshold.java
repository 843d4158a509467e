package xportdnn.quant;

import java.util.Arrays;
import java.util.stream.IntStream;
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

    /**
     * Section A on a histogram laid out by {@link #binCount}; {@code mx} is max|x|. The candidates' divergences are
     * independent, so they are computed in parallel; the first smallest wins, as in the original's loop. Their cost
     * grows with the square of the bin count, which grows with the square root of the values counted (SqueezeNet's
     * conv1 on 64 images: 8,700 bins).
     */
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
        double[] divergence = new double[nb + 1];
        boolean[] zeroLevel = new boolean[nb + 1];
        IntStream.rangeClosed(n + 1, nb).parallel()
                .forEach(i -> divergence[i] = divergence(cdf, tail, levels, i, zeroLevel));
        double best = Double.POSITIVE_INFINITY;
        int bestI = -1;
        for (int i = n + 1; i <= nb; i++) {
            if (zeroLevel[i]) {
                return mx; // empty first bins: the original falls back to max |x|
            }
            if (divergence[i] < best) {
                best = divergence[i];
                bestI = i;
            }
        }
        return (bestI + 0.5) * (double) h.width(0);
    }

    /**
     * The divergence of candidate bin {@code i}: the CDF clipped there (1 from bin i - 1 on), re-sampled onto the
     * levels and back onto its i bins. Where a re-sampled value is 0 it sets {@code zeroLevel[i]} instead (the
     * original then gives up on the blob).
     */
    private static double divergence(double[] cdf, double[] tail, double[] levels, int i, boolean[] zeroLevel) {
        double[] p = Arrays.copyOf(cdf, i);
        p[i - 1] = 1;
        double[] grid = Interp.linspace01(i);
        double[] down = new double[levels.length];
        Interp.interp(levels, grid, p, down);
        double d = tail[i];
        int last = levels.length - 1;
        int lo = 0; // np.interp's segment of grid[k] in the levels: the grid rises with k, so it only moves up
        for (int k = 0; k < i; k++) {
            double x = grid[k];
            double q;
            if (x >= levels[last]) {
                q = down[last];
            } else {
                while (levels[lo + 1] <= x) {
                    lo++;
                }
                q = x == levels[lo] ? down[lo]
                        : (down[lo + 1] - down[lo]) / (levels[lo + 1] - levels[lo]) * (x - levels[lo]) + down[lo];
            }
            if (q == 0) {
                zeroLevel[i] = true;
                return 0;
            }
            d += term(cdf[k], q);
        }
        return d;
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
