package xportdnn.quant;

import java.util.function.DoubleUnaryOperator;
import org.apache.commons.math3.special.Erf;
import xportdnn.calib.BlobHistograms;

/**
 * ACIQ analytical clipping (Banner et al., NeurIPS 2019; algorithms.md section D): the clip value alpha = k * b
 * minimising the expected squared error of clipping plus rounding at M bits under a Laplace(b) or Gaussian(sigma)
 * prior, measured around the blob's mean. The threshold is |mean| + alpha, never above max |x|.
 */
final class AciqThreshold implements ThresholdMethod {

    private final String name;
    private final boolean laplace;

    private AciqThreshold(String name, boolean laplace) {
        this.name = name;
        this.laplace = laplace;
    }

    static AciqThreshold laplace() {
        return new AciqThreshold("aciq-laplace", true);
    }

    static AciqThreshold gauss() {
        return new AciqThreshold("aciq-gauss", false);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double threshold(BlobHistograms stats, int bitwidth) {
        double scale = laplace ? stats.meanAbsDeviation() : stats.range().std();
        double k = laplace ? laplaceK(bitwidth) : gaussK(bitwidth);
        return Math.min(stats.range().maxAbs(), Math.abs(stats.range().mean()) + k * scale);
    }

    /**
     * Laplace: minimising 2 b^2 e^(-k) + k^2 b^2 / (3 * 4^M) over k gives k e^k = 3 * 4^M, i.e. k = W(3 * 4^M)
     * (Lambert W, solved by Newton's method).
     */
    static double laplaceK(int bits) {
        double c = 3 * Math.pow(4, bits);
        double k = Math.log(c) - Math.log(Math.log(c));
        for (int it = 0; it < 50; it++) {
            double f = k * Math.exp(k) - c;
            double step = f / (Math.exp(k) * (k + 1));
            k -= step;
            if (Math.abs(step) < 1e-14 * k) {
                break;
            }
        }
        return k;
    }

    /**
     * Gaussian (sigma = 1): clip noise 2[(1 + k^2) Q(k) - k phi(k)] plus rounding noise k^2 / (3 * 4^M), minimised
     * by golden-section search (the sum is unimodal in k).
     */
    static double gaussK(int bits) {
        double rounding = 1 / (3 * Math.pow(4, bits));
        DoubleUnaryOperator err = k -> {
            double tail = 0.5 * Erf.erfc(k / Math.sqrt(2));
            double density = Math.exp(-0.5 * k * k) / Math.sqrt(2 * Math.PI);
            return 2 * ((1 + k * k) * tail - k * density) + k * k * rounding;
        };
        return goldenMinimum(err, 0, 40);
    }

    private static double goldenMinimum(DoubleUnaryOperator f, double lo, double hi) {
        double r = (Math.sqrt(5) - 1) / 2;
        double a = lo;
        double b = hi;
        double c = b - r * (b - a);
        double d = a + r * (b - a);
        while (b - a > 1e-10) {
            if (f.applyAsDouble(c) < f.applyAsDouble(d)) {
                b = d;
            } else {
                a = c;
            }
            c = b - r * (b - a);
            d = a + r * (b - a);
        }
        return 0.5 * (a + b);
    }
}
