package xportdnn.quant;

import java.util.function.DoubleUnaryOperator;
import xportdnn.calib.AbsHistogram;
import xportdnn.calib.BlobHistograms;
import xportdnn.precision.DynamicFixed;

/**
 * The threshold that minimises the squared error of quantize-dequantize (clip to +-T, round half to even on
 * T / (2^(bw-1) - 1) steps) summed over the fine histogram, each bin standing at its centre (exact zeros at 0).
 * Candidates are every {@value #STRIDE}th bin edge, fine enough for 8192 bins against at most 127 levels.
 */
final class MseThreshold implements ThresholdMethod {

    static final int STRIDE = 8;

    @Override
    public String name() {
        return "mse";
    }

    @Override
    public double threshold(BlobHistograms stats, int bitwidth) {
        AbsHistogram h = stats.fine();
        if (h == null) {
            return 0;
        }
        long levels = DynamicFixed.maxCode(bitwidth); // the Xilinx step's divisor
        double best = Double.POSITIVE_INFINITY;
        double bestT = h.hi();
        for (int j = STRIDE; j <= h.bins(); j += STRIDE) {
            double t = h.edge(j);
            double step = t / levels;
            double err = squaredError(h, c -> c >= t ? t : step * Math.rint(c / step));
            if (err < best) {
                best = err;
                bestT = t;
            }
        }
        return bestT;
    }

    /**
     * The squared error of {@code quantize} (float to quantized-and-back) summed over the histogram, each bin's
     * values standing at its centre; exact zeros are left out (every quantizer here keeps 0 exact).
     */
    static double squaredError(AbsHistogram h, DoubleUnaryOperator quantize) {
        double err = 0;
        for (int b = 0; b < h.bins(); b++) {
            long n = b == 0 ? h.count(0) - h.zeros() : h.count(b);
            if (n == 0) {
                continue;
            }
            double c = 0.5 * ((double) h.edge(b) + h.edge(b + 1));
            double d = c - quantize.applyAsDouble(c);
            err += n * d * d;
        }
        return err;
    }
}
