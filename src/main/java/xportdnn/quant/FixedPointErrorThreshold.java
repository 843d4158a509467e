package xportdnn.quant;

import xportdnn.precision.DynamicFixed;
import xportdnn.calib.AbsHistogram;
import xportdnn.calib.BlobHistograms;

/**
 * For DynamicFixed formats: the fractional length whose Q.F quantization (round half away, saturate) has the
 * least squared error over the fine histogram (bins at their centres, exact zeros at 0), searched from the
 * smallest fl that saturates nothing up to {@value #EXTRA_BITS} bits finer (algorithms.md section F's grid search;
 * Ristretto's rule is the no-saturation end of it). Expressed as a threshold, the largest value the format holds,
 * (2^(bw-1) - 1) * 2^-fl, so the Xilinx propagation rules (in-place chains, Eltwise and Concat sharing) apply
 * unchanged and {@link DynamicFixed#largestFl} of it gives the fl back.
 */
final class FixedPointErrorThreshold implements ThresholdMethod {

    static final int EXTRA_BITS = 4;

    @Override
    public String name() {
        return "fixed-point-mse";
    }

    @Override
    public double threshold(BlobHistograms stats, int bitwidth) {
        AbsHistogram h = stats.fine();
        if (h == null) {
            return 0;
        }
        int widest = DynamicFixed.largestFl(-h.hi(), h.hi(), bitwidth);
        int best = widest;
        double bestError = Double.POSITIVE_INFINITY;
        for (int fl = widest; fl <= Math.min(widest + EXTRA_BITS, DynamicFixed.MAX_FL); fl++) {
            int f = fl;
            double err = MseThreshold.squaredError(h, c -> DynamicFixed.value(c, bitwidth, f));
            if (err < bestError) {
                bestError = err;
                best = fl;
            }
        }
        return DynamicFixed.largestValue(bitwidth, best);
    }
}
