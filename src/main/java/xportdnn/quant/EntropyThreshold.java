package xportdnn.quant;

import xportdnn.calib.AbsHistogram;
import xportdnn.calib.BlobHistograms;

/**
 * TensorRT-style entropy calibration (algorithms.md section B): |x| on 2048 bins without the exact zeros; for each
 * candidate bin i from 128 on, the clipped distribution P (outliers folded into its last bin) is compared by
 * KL(P||Q) with Q, its reduction to 128 levels (groups with fractional edges) spread back evenly over the bins
 * that are non-zero in P. The threshold is the centre of the best candidate bin's upper neighbour, (i + 0.5) bins.
 */
final class EntropyThreshold implements ThresholdMethod {

    static final int BINS = 2048;
    static final int LEVELS = 128;

    @Override
    public String name() {
        return "kl";
    }

    @Override
    public double threshold(BlobHistograms stats, int bitwidth) {
        AbsHistogram fine = stats.fine();
        if (fine == null) {
            return 0;
        }
        AbsHistogram h = fine.coarsen(fine.bins() / BINS);
        long[] bins = h.counts();
        bins[0] -= h.zeros();
        return (bestBin(bins) + 0.5) * ((double) h.hi() / BINS);
    }

    /** The candidate clip bin i minimising KL(P||Q); all bins when no candidate has a finite divergence. */
    static int bestBin(long[] bins) {
        int nb = bins.length;
        long[] suffix = new long[nb + 1];
        for (int k = nb - 1; k >= 0; k--) {
            suffix[k] = suffix[k + 1] + bins[k];
        }
        if (suffix[0] == 0) {
            return nb;
        }
        double best = Double.POSITIVE_INFINITY;
        int bestI = nb;
        double[] p = new double[nb];
        double[] q = new double[nb];
        for (int i = LEVELS; i < nb; i++) {
            for (int k = 0; k < i; k++) {
                p[k] = bins[k];
            }
            p[i - 1] += suffix[i];
            quantized(bins, p, i, q);
            double kl = divergence(p, q, i);
            if (kl < best) {
                best = kl;
                bestI = i;
            }
        }
        return bestI;
    }

    /** Q over the first i bins: the histogram merged into 128 groups, each spread over its non-zero-in-P bins. */
    private static void quantized(long[] bins, double[] p, int i, double[] q) {
        java.util.Arrays.fill(q, 0, i, 0);
        double width = i / (double) LEVELS;
        for (int g = 0; g < LEVELS; g++) {
            double start = g * width;
            double end = g == LEVELS - 1 ? i : (g + 1) * width;
            double mass = 0;
            double support = 0;
            for (int k = (int) Math.floor(start); k < end; k++) {
                double overlap = Math.min(end, k + 1) - Math.max(start, k);
                mass += overlap * bins[k];
                if (p[k] != 0) {
                    support += overlap;
                }
            }
            if (support == 0) {
                continue;
            }
            for (int k = (int) Math.floor(start); k < end; k++) {
                if (p[k] != 0) {
                    q[k] += (Math.min(end, k + 1) - Math.max(start, k)) * mass / support;
                }
            }
        }
    }

    /** KL(P||Q) of the normalised first i entries; infinite where P has mass that Q lacks. */
    private static double divergence(double[] p, double[] q, int i) {
        double sp = 0;
        double sq = 0;
        for (int k = 0; k < i; k++) {
            sp += p[k];
            sq += q[k];
        }
        if (sq == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int k = 0; k < i; k++) {
            if (p[k] > 0) {
                if (q[k] == 0) {
                    return Double.POSITIVE_INFINITY;
                }
                double pk = p[k] / sp;
                kl += pk * Math.log(pk / (q[k] / sq));
            }
        }
        return kl;
    }
}
