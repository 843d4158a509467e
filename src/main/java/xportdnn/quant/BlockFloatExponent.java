package xportdnn.quant;

import xportdnn.calib.AbsHistogram;
import xportdnn.precision.BlockFloat;

/**
 * The offline shared exponent of an activation block (algorithms.md E), here one channel's ({@link
 * ChannelExponents}): among exponents from the online one ({@code floor(log2 max|x|)}) down, the one whose BFP
 * quantization of the calibration histogram is closest to it in Kullback-Leibler divergence.
 */
final class BlockFloatExponent {

    /** How many exponents below the online one are tried (each halves the range). */
    static final int CANDIDATES = 8;

    private BlockFloatExponent() {
    }

    /**
     * The exponent of minimum KL divergence for the block whose |x| {@code h} counts over [0, max |x|] (the
     * histogram's range), with {@code m}-bit mantissas.
     */
    static int exponent(AbsHistogram h, int m) {
        long[] counts = h.counts();
        double width = (double) h.hi() / counts.length;
        int online = BlockFloat.exponent(h.hi());
        int best = online;
        double bestKl = Double.POSITIVE_INFINITY;
        for (int e = online; e > online - CANDIDATES; e--) {
            double step = BlockFloat.step(e, m);
            double kl = divergence(counts, h.zeros(), width, step, (int) (BlockFloat.threshold(e, m) / step));
            if (kl < bestKl) {
                bestKl = kl;
                best = e;
            }
        }
        return best;
    }

    /** Weight of the uniform distribution mixed into Q, so that a bin Q leaves empty costs much, not infinitely. */
    static final double SMOOTHING = 1e-4;

    /**
     * KL(P || Q) of a histogram of |x| (bins of {@code width} from 0) and its quantization to multiples of
     * {@code step} up to {@code levels} steps. P is the float distribution as it is, its tail past the clip
     * included; Q is the quantized one on the same bins: every bin goes to the level its centre rounds to (half
     * away from zero, clipped to the top level), and each level's mass is spread evenly over its nonempty bins
     * below the clip, so Q is empty past the clip. Q is mixed with {@link #SMOOTHING} of the uniform distribution
     * over P's nonempty bins (as TensorRT's calibration smooths it). A clipped tail thus costs what it weighs
     * times log(its probability / the smoothing), which a finer step below the clip cannot buy back: folding the
     * clipped mass into the last kept bin of P as well (a first version) made heavy clipping cost nothing as soon
     * as the step got finer than a histogram bin. The {@code zeros} exact zeros counted in bin 0 (a ReLU's output is
     * mostly zeros) are their own point, held exactly (zero is code 0 under every exponent): spreading them over
     * level 0's bins with the rest made a coarse step look costly for rounding nothing, and the choice clipped
     * SqueezeNet's first convolution at an eighth of its range.
     */
    static double divergence(long[] binCounts, long zeros, double width, double step, int levels) {
        long[] histogram = binCounts.clone();
        histogram[0] -= zeros;
        int clipBin = (int) Math.min(histogram.length - 1, Math.floor(levels * step / width));
        int[] level = new int[histogram.length];
        double[] mass = new double[levels + 1];
        int[] kept = new int[levels + 1];
        double total = zeros;
        int nonempty = zeros > 0 ? 1 : 0;
        for (int k = 0; k < histogram.length; k++) {
            level[k] = (int) Math.min(levels, Math.floor((k + 0.5) * width / step + 0.5));
            if (histogram[k] > 0) {
                mass[level[k]] += histogram[k];
                total += histogram[k];
                nonempty++;
                if (k <= clipBin) {
                    kept[level[k]]++;
                }
            }
        }
        double pZero = zeros / total;
        double kl = zeros > 0 ? pZero * Math.log(pZero / ((1 - SMOOTHING) * pZero + SMOOTHING / nonempty)) : 0;
        for (int k = 0; k < histogram.length; k++) {
            if (histogram[k] > 0) {
                boolean holds = k <= clipBin && kept[level[k]] > 0;
                double q = holds ? mass[level[k]] / kept[level[k]] / total : 0;
                double p = histogram[k] / total;
                kl += p * Math.log(p / ((1 - SMOOTHING) * q + SMOOTHING / nonempty));
            }
        }
        return kl;
    }
}
