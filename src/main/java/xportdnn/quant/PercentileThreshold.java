package xportdnn.quant;

import xportdnn.calib.AbsHistogram;
import xportdnn.calib.BlobHistograms;
import xportdnn.model.ModelException;
import xportdnn.model.NumberText;

/** The P-th percentile of |x|, read off the fine histogram with linear interpolation inside the bin. */
final class PercentileThreshold implements ThresholdMethod {

    private final double percent;

    PercentileThreshold(double percent) {
        this.percent = percent;
    }

    /** The method of {@code percentile:value}, given by {@code flag} (named in an error). */
    static PercentileThreshold parse(String value, String flag) {
        double p;
        try {
            p = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new ModelException(flag + ": percentile:P needs a number P, got '" + value + "'");
        }
        if (!(p > 0 && p <= 100)) {
            throw new ModelException(flag + ": percentile:P needs 0 < P <= 100, got " + value);
        }
        return new PercentileThreshold(p);
    }

    @Override
    public String name() {
        return "percentile:" + NumberText.of(percent);
    }

    @Override
    public double threshold(BlobHistograms stats, int bitwidth) {
        AbsHistogram h = stats.fine();
        if (h == null) {
            return 0;
        }
        double target = percent / 100.0 * h.total();
        double below = 0;
        for (int b = 0; b < h.bins(); b++) {
            long n = h.count(b);
            if (n > 0 && below + n >= target) {
                double frac = (target - below) / n;
                return h.edge(b) + frac * h.width(b);
            }
            below += n;
        }
        return h.hi();
    }
}
