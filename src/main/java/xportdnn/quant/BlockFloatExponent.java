package xportdnn.quant;

import xportdnn.calib.AbsHistogram;
import xportdnn.calib.BlobHistograms;
import xportdnn.precision.BlockFloat;

/**
 * The offline shared exponent of an activation block (algorithms.md E): among exponents from the online one
 * ({@code floor(log2 max|x|)}) down, the one whose BFP quantization of the calibration histogram is closest to it
 * in Kullback-Leibler divergence; returned as its Xilinx threshold ({@link BlockFloat#threshold}), with
 * {@code bitwidth} as the mantissa bits.
 */
public final class BlockFloatExponent implements ThresholdMethod {

    /** How many exponents below the online one are tried (each halves the range). */
    static final int CANDIDATES = 8;

    @Override
    public String name() {
        return "bfp-kl";
    }

    @Override
    public double threshold(BlobHistograms stats, int bitwidth) {
        float max = stats.range().maxAbs();
        if (!(max > 0)) {
            return 0;
        }
        AbsHistogram h = stats.fine();
        long[] counts = h.counts();
        double width = (double) h.hi() / counts.length;
        int online = BlockFloat.exponent(max);
        int best = online;
        double bestKl = Double.POSITIVE_INFINITY;
        for (int e = online; e > online - CANDIDATES; e--) {
            double kl = divergence(counts, width, BlockFloat.step(e, bitwidth), (int) (BlockFloat.threshold(e,
                    bitwidth) / BlockFloat.step(e, bitwidth)));
            if (kl < bestKl) {
                bestKl = kl;
                best = e;
            }
        }
        return BlockFloat.threshold(best, bitwidth);
    }

    /**
     * KL(P || Q) of a histogram of |x| (bins of {@code width} from 0) and its quantization to multiples of
     * {@code step} up to {@code levels} steps: every bin goes to the level its centre rounds to (half away from
     * zero, clipped to the top level; the mass of the bins past the clip first added to the bin the clip falls in),
     * and Q spreads each level's mass evenly over that level's nonempty bins.
     */
    static double divergence(long[] histogram, double width, double step, int levels) {
        // as TensorRT's calibration: what the clip cuts off lands on the last bin kept, so clipping costs
        long[] counts = histogram.clone();
        int clipBin = (int) Math.min(counts.length - 1, Math.floor(levels * step / width));
        for (int k = clipBin + 1; k < counts.length; k++) {
            counts[clipBin] += counts[k];
            counts[k] = 0;
        }
        int[] level = new int[counts.length];
        double[] mass = new double[levels + 1];
        int[] nonempty = new int[levels + 1];
        double total = 0;
        for (int k = 0; k < counts.length; k++) {
            level[k] = (int) Math.min(levels, Math.floor((k + 0.5) * width / step + 0.5));
            if (counts[k] > 0) {
                mass[level[k]] += counts[k];
                nonempty[level[k]]++;
                total += counts[k];
            }
        }
        double kl = 0;
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] > 0) {
                double p = counts[k] / total;
                double q = mass[level[k]] / nonempty[level[k]] / total;
                kl += p * Math.log(p / q);
            }
        }
        return kl;
    }
}
