package xportdnn.quant;

/** numpy's {@code linspace(0, 1, n)} and {@code interp} with its exact formulas (the KL-J method replays them). */
final class Interp {

    private Interp() {
    }

    /** {@code np.linspace(0., 1., n)}: k * (1/(n-1)), the last point exactly 1. */
    static double[] linspace01(int n) {
        double[] x = new double[n];
        if (n == 1) {
            x[0] = 0;
            return x;
        }
        double step = 1.0 / (n - 1);
        for (int k = 0; k < n; k++) {
            x[k] = k * step;
        }
        x[n - 1] = 1.0;
        return x;
    }

    /** {@code out[j] = np.interp(x[j], xp, fp)} for the first {@code x.length} values. */
    static void interp(double[] x, double[] xp, double[] fp, double[] out) {
        for (int j = 0; j < x.length; j++) {
            out[j] = interpAt(x[j], xp, fp);
        }
    }

    /** One point of {@code np.interp}: clamp outside, exact at the nodes, slope * (x - xp[j]) + fp[j] inside. */
    static double interpAt(double x, double[] xp, double[] fp) {
        int last = xp.length - 1;
        if (x >= xp[last]) {
            return fp[last];
        }
        if (x < xp[0]) {
            return fp[0];
        }
        int lo = 0;
        int hi = last;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (xp[mid] <= x) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if (x == xp[lo]) {
            return fp[lo];
        }
        double slope = (fp[lo + 1] - fp[lo]) / (xp[lo + 1] - xp[lo]);
        return slope * (x - xp[lo]) + fp[lo];
    }
}
